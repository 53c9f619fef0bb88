import type { Job } from '@trueboard/contracts';
import { artifacts, evaluationRuns, results, submissions } from '@trueboard/db';
import { goodPredictions, type TestPlatform, testPlatform, testReport, toyScenario } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cancelSubmission,
  claim,
  completeRun,
  DomainError,
  failRun,
  listAudit,
  registerRunner,
  resolveSecret,
  submit,
  sweepExpiredLeases,
} from '../src/index';

/*
 * Every test makes its own platform (a fresh database), so none depends on what another left
 * behind: each passes alone and in any order. Leases run out by setting `lease_expires_at`, not by
 * waiting for them.
 */

const opened: TestPlatform[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
});

/** A fresh platform with the toy cast and a registered runner. */
async function setup(overrides: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform(overrides);
  opened.push(p);
  const cast = await toyScenario(p);
  const runner = await resolveSecret(p, cast.runnerToken.secret);
  const { runnerId } = await registerRunner(p, runner, {
    hostname: 'test',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  /** the next job (oldest first), or null */
  const claimNow = () => claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
  const claimed = async () => {
    const job = await claimNow();
    if (!job) throw new Error('expected a job');
    return job;
  };
  /** a new submission of the acme owner's method; `answers` vary the artifact */
  const send = (answers: Record<string, string> = {}) =>
    submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, goodPredictions(answers));
  /** the run's lease ran out a second ago, as if its runner had stopped reporting */
  const expireLease = (runId: string) =>
    p.db
      .update(evaluationRuns)
      .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(evaluationRuns.id, runId));
  return { p, cast, runner, claimNow, claimed, send, expireLease };
}

const report = (job: Job) =>
  testReport(job, {
    metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 80, ci: null, n: 5 }],
    examples: ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, verdict: id === 'q3' ? 0 : 1, data: {} })),
  });

const refusal = (e: unknown) => (e instanceof DomainError ? [e.code, e.message] : e);

describe('submission lifecycle', () => {
  it('queues a submission with a run and a job, and hands it to one runner', async () => {
    const { p, runner, claimNow, claimed, send } = await setup();
    const s = await send();
    expect(s.state).toBe('queued');
    const job = await claimed();
    expect(job.submissionId).toBe(s.id);
    expect(job.attempt).toBe(1);
    expect(job.dataset.files.map((f) => f.path)).toEqual(['gold.json']);
    expect(await claimNow()).toBeNull(); // nobody else gets it
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(row?.state).toBe('running');
    expect(row?.startedAt).toBeInstanceOf(Date);
    const first = await completeRun(p, runner, job.runId, { report: report(job) });
    const again = await completeRun(p, runner, job.runId, { report: report(job) });
    expect(again).toEqual({ resultId: first.resultId, duplicate: true });
    const rows = await p.db.select().from(results).where(eq(results.submissionId, s.id));
    expect(rows.map((r) => r.id)).toEqual([first.resultId]);
    const [done] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(done?.state).toBe('finished');
    const trail = await listAudit(p.db, 'submission', s.id);
    expect(trail.map((e) => e.action)).toEqual([
      'submission.created',
      'submission.queued',
      'submission.started',
      'submission.finished',
    ]);
    expect(done?.finishedAt?.getTime()).toBeGreaterThanOrEqual(done?.startedAt?.getTime() ?? Number.POSITIVE_INFINITY);
  });

  it('re-delivers a job whose lease expired as attempt 2 and refuses the stale report', async () => {
    const { p, runner, claimed, send, expireLease } = await setup();
    const s = await send({ q5: 'Porto' });
    const first = await claimed();
    await expireLease(first.runId);
    expect(await sweepExpiredLeases(p)).toBe(1);
    expect(await completeRun(p, runner, first.runId, { report: report(first) }).catch(refusal)).toEqual([
      'lease_lost',
      'lease lost: the run is expired; stop work on this job',
    ]);
    const second = await claimed();
    expect([second.submissionId, second.attempt]).toEqual([s.id, 2]);
    const done = await completeRun(p, runner, second.runId, { report: report(second) });
    const runs = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, s.id));
    expect(runs.map((r) => [r.attempt, r.state]).sort()).toEqual([
      [1, 'expired'],
      [2, 'finished'],
    ]);
    const rows = await p.db.select().from(results).where(eq(results.submissionId, s.id));
    expect(rows.map((r) => r.id)).toEqual([done.resultId]);
  });

  it('fails the submission as infra after the last attempt expires, without using quota', async () => {
    const { p, claimNow, claimed, send, expireLease } = await setup({ maxAttempts: 2 });
    const s = await send({ q1: 'Lyon' });
    for (let i = 0; i < 2; i++) {
      const job = await claimed();
      expect([job.submissionId, job.attempt]).toEqual([s.id, i + 1]);
      await expireLease(job.runId);
      expect(await sweepExpiredLeases(p)).toBe(1);
    }
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect([row?.state, row?.failureCategory, row?.countsTowardQuota]).toEqual(['failed', 'infra', false]);
    expect(row?.failureMessage).toBe('runners lost this job 2 times (lease expired each time); an admin can rerun it');
    expect(await claimNow()).toBeNull();
  });
});

describe('quota', () => {
  it('refuses the fourth submission of the day; an infra failure gives the slot back, a user error does not', async () => {
    // toy-qa allows 3 a day
    const { p, runner, claimed, send } = await setup();
    const [first, second] = [await send({ q2: 'Bonn' }), await send({ q2: 'Hamburg' }), await send({ q2: 'Köln' })];
    const full = async () => {
      const err = await send({ q2: 'Essen' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('quota_exceeded');
      expect((err as DomainError).message).toMatch(
        /^daily quota reached: your team made 3 of 3 submissions to "toy-qa" in the last 24 hours; the next slot frees at /,
      );
    };
    await full();
    // an infra failure returns the slot
    const job = await claimed();
    expect(job.submissionId).toBe(first?.id);
    await failRun(p, runner, job.runId, { category: 'infra', message: 'disk full' });
    const fourth = await send({ q2: 'Essen' });
    expect(fourth.state).toBe('queued');
    await full();
    // a user error does not
    const j2 = await claimed();
    expect(j2.submissionId).toBe(second?.id);
    await failRun(p, runner, j2.runId, { category: 'user_error', message: 'bad file' });
    await full();
  });
});

describe('cancel', () => {
  it('lets the owner cancel a queued submission; the runner never gets it', async () => {
    const { p, cast, claimNow, send } = await setup();
    const s = await send();
    const reviewer = cast.acme.members.reviewer;
    if (!reviewer) throw new Error('no reviewer');
    expect(await cancelSubmission(p, reviewer.actor, s.id).catch(refusal)).toEqual([
      'forbidden',
      'only the submitter or a team maintainer can cancel',
    ]);
    await cancelSubmission(p, cast.acme.owner.actor, s.id);
    expect(await claimNow()).toBeNull();
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(row?.state).toBe('cancelled');
    expect(row?.cancelledAt).toBeInstanceOf(Date);
    expect(await cancelSubmission(p, cast.acme.owner.actor, s.id).catch(refusal)).toEqual([
      'conflict',
      'a cancelled submission cannot be cancelled',
    ]);
  });
});

describe('bad input stores nothing', () => {
  it('refuses an oversized artifact with a 413-style error', async () => {
    const { p, cast } = await setup();
    const before = await p.db.select().from(artifacts);
    const big = new Uint8Array(5000).fill(65);
    await expect(
      submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, big),
    ).rejects.toMatchObject({
      code: 'too_large',
      message: 'the text2sql artifact is larger than the limit of 4.0 KiB',
    });
    expect(await p.db.select().from(submissions)).toHaveLength(0);
    expect(await p.db.select().from(artifacts)).toHaveLength(before.length);
  });

  it('names an unknown benchmark and an unknown method', async () => {
    const { p, cast } = await setup();
    const owner = cast.acme.owner.actor;
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      await submit(p, owner, { benchmark: 'no-such-bench', method: cast.method.id }, goodPredictions()).catch(refusal),
    ).toEqual(['not_found', 'unknown benchmark "no-such-bench"']);
    expect(await submit(p, owner, { benchmark: 'toy-qa', method: unknown }, goodPredictions()).catch(refusal)).toEqual([
      'not_found',
      `unknown method ${unknown}; create it first`,
    ]);
    const noMethod = await submit(p, owner, { benchmark: 'toy-qa' }, goodPredictions()).catch(refusal);
    expect(noMethod).toEqual(['bad_input', expect.stringMatching(/^bad input: submission: method: /)]);
    expect(await p.db.select().from(submissions)).toHaveLength(0);
  });
});
