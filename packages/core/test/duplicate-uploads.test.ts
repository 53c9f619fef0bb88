import { auditEvents, evaluationRuns, results, submissions } from '@trueboard/db';
import { goodPredictions, type TestPlatform } from '@trueboard/testkit';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, claim, completeRun, createRunnerToken, DomainError, resolveSecret, submit } from '../src/index';
import { lockGate } from './lock-gate';
import { allRightReport, toyRunnerWorld } from './toy-runner';

/*
 * A runner that got no answer to its upload (a timeout, a dropped connection) sends the same report
 * again, possibly while the first is still being recorded. Both must get the one result. Before the
 * fix, completeRun looked for an existing result before locking the run: two uploads that both
 * looked before either committed queued on the lock, and the second then found the run finished
 * and was told "lease lost" (409), although its report had been recorded.
 */

let p: TestPlatform;
let runner: Actor;
let runnerId: string;
let cast: Awaited<ReturnType<typeof toyRunnerWorld>>['cast'];

beforeAll(async () => {
  ({ p, runner, runnerId, cast } = await toyRunnerWorld());
});
afterAll(() => p.close());

describe('duplicate report uploads', () => {
  it('gives two overlapping uploads of one report the same result, recorded once', async () => {
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions(),
    );
    const job = await claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
    if (job?.submissionId !== s.id) throw new Error('expected the job of the new submission');
    const report = allRightReport(job);
    // both uploads start while the run is locked, so both are past any unlocked look before either records
    const gate = await lockGate(p.url, 'select id from evaluation_runs where id = $1 for update', [job.runId]);
    const uploads = [0, 1].map(() =>
      completeRun(p, runner, job.runId, { report }).then(
        (r) => ({ ok: r }),
        (err: unknown) => ({ err: err instanceof Error ? err.message : String(err) }),
      ),
    );
    try {
      await gate.queued(2);
    } finally {
      await gate.open();
    }
    const outcomes = await Promise.all(uploads);
    const [row] = await p.db.select().from(results).where(eq(results.runId, job.runId));
    if (!row) throw new Error(`no result recorded: ${JSON.stringify(outcomes)}`);
    expect(outcomes.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { ok: { resultId: row.id, duplicate: false } },
      { ok: { resultId: row.id, duplicate: true } },
    ]);
    const [run] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, job.runId));
    expect(run?.state).toBe('finished');
    const [sub] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(sub?.state).toBe('finished');
    const finished = await p.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, s.id), eq(auditEvents.action, 'submission.finished')));
    expect(finished).toHaveLength(1);
  });

  it('answers a repeat from another runner, or for an unknown run, with an error and records nothing more', async () => {
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q1: 'Lyon' }),
    );
    const job = await claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
    if (job?.submissionId !== s.id) throw new Error('expected the job of the new submission');
    const report = allRightReport(job);
    const first = await completeRun(p, runner, job.runId, { report });
    const other = await resolveSecret(p, (await createRunnerToken(p, cast.admin.actor, { name: 'other' })).secret);
    const refusal = (e: unknown) => (e instanceof DomainError ? [e.code, e.message] : e);
    // another runner's token learns nothing about the run, not even that it exists
    expect(await completeRun(p, other, job.runId, { report }).catch(refusal)).toEqual([
      'not_found',
      `run ${job.runId} not found`,
    ]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await completeRun(p, runner, unknown, { report }).catch(refusal)).toEqual([
      'not_found',
      `run ${unknown} not found`,
    ]);
    expect(await completeRun(p, runner, job.runId, { report })).toEqual({ resultId: first.resultId, duplicate: true });
    expect(await p.db.select().from(results).where(eq(results.submissionId, s.id))).toHaveLength(1);
  });
});
