import { artifacts, evaluationRuns, results, submissions } from '@trueboard/db';
import { goodPredictions, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  cancelSubmission,
  claim,
  completeRun,
  failRun,
  listAudit,
  registerRunner,
  resolveSecret,
  submit,
  sweepExpiredLeases,
} from '../src/index';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let runner: Actor;
let runnerId: string;

beforeAll(async () => {
  p = await testPlatform({ leaseSeconds: 2, maxAttempts: 2 });
  cast = await toyScenario(p);
  runner = await resolveSecret(p, cast.runnerToken.secret);
  ({ runnerId } = await registerRunner(p, runner, {
    hostname: 'test',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  }));
});
afterAll(() => p.close());

const report = (job: { runId: string; dataset: { contentHash: string }; artifact: { sha256: string } }) => ({
  family: 'text2sql' as const,
  metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 80, ci: null, n: 5 }],
  examples: ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, verdict: id === 'q3' ? 0 : 1, data: {} })),
  unscorable: 0,
  breakdowns: [],
  provenance: {
    evaluator: 'test',
    evaluatorVersion: '1',
    runnerVersion: '1',
    hostname: 'test',
    device: 'cpu' as const,
    datasetHash: job.dataset.contentHash,
    artifactHash: job.artifact.sha256,
    seed: 1,
    startedAt: new Date().toISOString(),
    wallTimeMs: 1,
  },
});

const claimNow = () => claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });

describe('submission lifecycle', () => {
  it('queues a submission with a run and a job, and hands it to one runner', async () => {
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions(),
    );
    expect(s.state).toBe('queued');
    const job = await claimNow();
    expect(job?.submissionId).toBe(s.id);
    expect(job?.attempt).toBe(1);
    expect(job?.dataset.files.map((f) => f.path)).toEqual(['gold.json']);
    expect(await claimNow()).toBeNull(); // nobody else gets it
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(row?.state).toBe('running');
    expect(row?.startedAt).toBeInstanceOf(Date);
    if (!job) throw new Error('no job');
    const first = await completeRun(p, runner, job.runId, { report: report(job) });
    const again = await completeRun(p, runner, job.runId, { report: report(job) });
    expect(again).toEqual({ resultId: first.resultId, duplicate: true });
    const rows = await p.db.select().from(results).where(eq(results.submissionId, s.id));
    expect(rows).toHaveLength(1);
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
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q5: 'Porto' }),
    );
    const first = await claimNow();
    if (!first) throw new Error('no job');
    await new Promise((r) => setTimeout(r, 2300));
    expect(await sweepExpiredLeases(p)).toBe(1);
    await expect(completeRun(p, runner, first.runId, { report: report(first) })).rejects.toThrow(/lease lost/);
    const second = await claimNow();
    expect(second?.submissionId).toBe(s.id);
    expect(second?.attempt).toBe(2);
    if (!second) throw new Error('no job');
    await completeRun(p, runner, second.runId, { report: report(second) });
    const runs = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, s.id));
    expect(runs.map((r) => [r.attempt, r.state]).sort()).toEqual([
      [1, 'expired'],
      [2, 'finished'],
    ]);
    expect(await p.db.select().from(results).where(eq(results.submissionId, s.id))).toHaveLength(1);
  });

  it('fails the submission as infra after the last attempt expires, without using quota', async () => {
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q1: 'Lyon' }),
    );
    for (let i = 0; i < 2; i++) {
      expect((await claimNow())?.submissionId).toBe(s.id);
      await new Promise((r) => setTimeout(r, 2300));
      await sweepExpiredLeases(p);
    }
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, s.id));
    expect(row?.state).toBe('failed');
    expect(row?.failureCategory).toBe('infra');
    expect(row?.countsTowardQuota).toBe(false);
    expect(await claimNow()).toBeNull();
  });
});

describe('quota', () => {
  it('refuses the (N+1)-th submission of the day with a clear message; infra failures give the slot back', async () => {
    // toy-qa allows 3 a day; the earlier tests used 3 submissions of which one failed as infra
    const [used] = await p.db
      .select({ n: sql<number>`count(*)::int` })
      .from(submissions)
      .where(eq(submissions.countsTowardQuota, true));
    expect(used?.n).toBe(2);
    const third = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q2: 'Bonn' }),
    );
    await expect(
      submit(
        p,
        cast.acme.owner.actor,
        { benchmark: 'toy-qa', method: cast.method.id },
        goodPredictions({ q2: 'Hamburg' }),
      ),
    ).rejects.toThrow(/daily quota reached: your team made 3 of 3 submissions to "toy-qa" in the last 24 hours/);
    // an infra failure returns the slot
    const job = await claimNow();
    expect(job?.submissionId).toBe(third.id);
    if (!job) throw new Error('no job');
    await failRun(p, runner, job.runId, { category: 'infra', message: 'disk full' });
    const fourth = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q2: 'Hamburg' }),
    );
    expect(fourth.state).toBe('queued');
    // a user error does not
    const j4 = await claimNow();
    if (!j4) throw new Error('no job');
    await failRun(p, runner, j4.runId, { category: 'user_error', message: 'bad file' });
    await expect(
      submit(
        p,
        cast.acme.owner.actor,
        { benchmark: 'toy-qa', method: cast.method.id },
        goodPredictions({ q2: 'Köln' }),
      ),
    ).rejects.toThrow(/daily quota reached/);
  });
});

describe('cancel', () => {
  it('lets the owner cancel a queued submission; the runner never gets it', async () => {
    const fresh = await testPlatform();
    try {
      const c = await toyScenario(fresh);
      const r = await resolveSecret(fresh, c.runnerToken.secret);
      const { runnerId: rid } = await registerRunner(fresh, r, {
        hostname: 'h',
        device: 'cpu',
        families: ['text2sql'],
        version: 't',
      });
      const s = await submit(
        fresh,
        c.acme.owner.actor,
        { benchmark: 'toy-qa', method: c.method.id },
        goodPredictions(),
      );
      await expect(
        cancelSubmission(fresh, c.acme.members.reviewer?.actor ?? { kind: 'anonymous' }, s.id),
      ).rejects.toThrow(/only the submitter or a team maintainer/);
      await cancelSubmission(fresh, c.acme.owner.actor, s.id);
      expect(await claim(fresh, r, { runnerId: rid, families: ['text2sql'], waitSeconds: 0 })).toBeNull();
      const [row] = await fresh.db.select().from(submissions).where(eq(submissions.id, s.id));
      expect(row?.state).toBe('cancelled');
      expect(row?.cancelledAt).toBeInstanceOf(Date);
      await expect(cancelSubmission(fresh, c.acme.owner.actor, s.id)).rejects.toThrow(
        /a cancelled submission cannot be cancelled/,
      );
    } finally {
      await fresh.close();
    }
  });
});

describe('bad input stores nothing', () => {
  it('refuses an oversized artifact with a 413-style error', async () => {
    const fresh = await testPlatform();
    try {
      const c = await toyScenario(fresh);
      const before = await fresh.db.select().from(artifacts);
      const big = new Uint8Array(5000).fill(65);
      await expect(
        submit(fresh, c.acme.owner.actor, { benchmark: 'toy-qa', method: c.method.id }, big),
      ).rejects.toMatchObject({
        code: 'too_large',
        message: 'the text2sql artifact is larger than the limit of 4.0 KiB',
      });
      expect(await fresh.db.select().from(submissions)).toHaveLength(0);
      expect(await fresh.db.select().from(artifacts)).toHaveLength(before.length);
    } finally {
      await fresh.close();
    }
  });

  it('names an unknown benchmark and an unknown method', async () => {
    await expect(
      submit(p, cast.acme.owner.actor, { benchmark: 'no-such-bench', method: cast.method.id }, goodPredictions()),
    ).rejects.toThrow('unknown benchmark "no-such-bench"');
    await expect(
      submit(
        p,
        cast.acme.owner.actor,
        { benchmark: 'toy-qa', method: '00000000-0000-4000-8000-000000000000' },
        goodPredictions(),
      ),
    ).rejects.toThrow(/unknown method/);
    await expect(submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa' }, goodPredictions())).rejects.toThrow(
      /bad input: submission: method:/,
    );
  });
});
