import { evaluationRuns, submissions } from '@trueboard/db';
import { goodPredictions, type TestPlatform } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cancelSubmission, claim, completeRun, DomainError, submit } from '../src/index';
import { lockGate } from './lock-gate';
import { allRightReport, toyRunnerWorld } from './toy-runner';

/*
 * A cancel racing the runner's upload. completeRun locks the run, then the submission; a cancel that
 * locked the submission first and then the runs deadlocked with it, and PostgreSQL aborted one of
 * the two with an internal error. Both now lock the run first: the second simply waits.
 */

let world: Awaited<ReturnType<typeof toyRunnerWorld>>;
let p: TestPlatform;
beforeAll(async () => {
  world = await toyRunnerWorld();
  p = world.p;
});
afterAll(() => p.close());

it('lets an upload and a cancel that overlap finish one after the other, without a deadlock', async () => {
  const s = await submit(
    p,
    world.cast.acme.owner.actor,
    { benchmark: 'toy-qa', method: world.cast.method.id },
    goodPredictions(),
  );
  const job = await claim(p, world.runner, { runnerId: world.runnerId, families: ['text2sql'], waitSeconds: 0 });
  if (job?.submissionId !== s.id) throw new Error('expected the job of the new submission');
  const report = allRightReport(job);
  const outcome = (x: Promise<unknown>) =>
    x.then(
      () => 'ok',
      (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.message}` : `crash: ${String(e)}`),
    );
  const gate = await lockGate(p.url, 'select id from evaluation_runs where id = $1 for update', [job.runId]);
  let upload: Promise<string>;
  let cancel: Promise<string>;
  try {
    // the upload queues on the run first, then the cancel
    upload = outcome(completeRun(p, world.runner, job.runId, { report }));
    await gate.queued(1);
    cancel = outcome(cancelSubmission(p, world.cast.acme.owner.actor, s.id));
    await gate.queued(2);
  } finally {
    await gate.open();
  }
  expect([await upload, await cancel]).toEqual(['ok', 'conflict: a finished submission cannot be cancelled']);
  const [run] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, job.runId));
  const [sub] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
  expect([run?.state, sub?.state]).toEqual(['finished', 'finished']);
});
