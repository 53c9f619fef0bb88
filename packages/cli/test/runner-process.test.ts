import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  datasetVersions,
  evaluationRuns,
  exampleResults,
  resultMetrics,
  results,
  runLogs,
  submissions,
} from '@trueboard/db';
import {
  goodPredictions,
  serveTestPlatform,
  type TestPlatform,
  testPlatform,
  toyScenario,
  trpcHttp,
} from '@trueboard/testkit';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, TOY_EVALUATOR, waitFor } from './helpers';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
const runners: ReturnType<typeof spawnCli>[] = [];

function startRunner() {
  const r = spawnCli(
    [
      'runner',
      '--server',
      srv.baseUrl,
      '--evaluators',
      TOY_EVALUATOR,
      '--cache-dir',
      mkdtempSync(join(tmpdir(), 'tb-cache-')),
    ],
    { TRUEBOARD_RUNNER_TOKEN: cast.runnerToken.secret },
  );
  runners.push(r);
  return r;
}

/** Stops a runner as a terminal would and waits for it to exit; returns its exit code. */
function stop(runner: ReturnType<typeof spawnCli>) {
  const exited = new Promise((r) => runner.on('exit', r));
  runner.kill('SIGTERM');
  return exited;
}

async function upload(body: Uint8Array) {
  const res = await fetch(`${srv.baseUrl}/api/submissions?benchmark=toy-qa&method=${cast.method.id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cast.ownerToken.secret}`, 'content-type': 'application/json' },
    body,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

const stateOf = async (id: string) => (await p.db.select().from(submissions).where(eq(submissions.id, id)))[0];
const runsOf = (id: string) =>
  p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, id)).orderBy(asc(evaluationRuns.attempt));
const finished = (id: string) =>
  waitFor('finished', async () => {
    const s = await stateOf(id);
    return s?.state === 'finished' || s?.state === 'failed' ? s : null;
  });

beforeAll(async () => {
  // leases of a minute: a test that needs one to end writes lease_expires_at instead of waiting
  p = await testPlatform({ leaseSeconds: 60, maxAttempts: 3, dailyQuota: 100 });
  cast = await toyScenario(p);
  // more submissions than the toy benchmark's daily quota of 3
  await p.db.execute(sql`update benchmarks set daily_quota = null where id = 'toy-qa'`);
  srv = await serveTestPlatform(p);
});
afterAll(async () => {
  for (const r of runners) r.kill('SIGKILL');
  await srv.close();
  await p.close();
});

describe('uploads', () => {
  it('refuses an artifact over the benchmark limit with 413 and stores nothing', async () => {
    const res = await fetch(`${srv.baseUrl}/api/submissions?benchmark=toy-qa&method=${cast.method.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cast.ownerToken.secret}` },
      body: new Uint8Array(10_000).fill(32),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'the text2sql artifact is larger than the limit of 4.0 KiB',
    );
    expect(await p.db.select().from(submissions)).toHaveLength(0);
  });
});

describe('a runner process', () => {
  it('evaluates an uploaded submission end to end over HTTP', async () => {
    const runner = startRunner();
    const { id } = await upload(goodPredictions());
    const done = await finished(id);
    expect(done.state, runner.output()).toBe('finished');
    const [res] = await p.db.select().from(results).where(eq(results.submissionId, id));
    if (!res) throw new Error('no result');
    const [acc] = await p.db.select().from(resultMetrics).where(eq(resultMetrics.resultId, res.id));
    // 4 of 5 correct; Wilson 95%: centre (0.8 + z²/10)/(1 + z²/5), by hand ≈ [0.3755, 0.9638]
    expect(acc?.value).toBeCloseTo(80, 10);
    expect(acc?.ciLow).toBeCloseTo(37.55, 1);
    expect(acc?.ciHigh).toBeCloseTo(96.38, 1);
    const rows = await p.db
      .select()
      .from(exampleResults)
      .where(eq(exampleResults.resultId, res.id))
      .orderBy(asc(exampleResults.exampleId));
    expect(rows.map((r) => [r.exampleId, r.verdict])).toEqual([
      ['q1', 1],
      ['q2', 1],
      ['q3', 0],
      ['q4', 1],
      ['q5', 1],
    ]);
    const [v] = await p.db.select().from(datasetVersions).where(eq(datasetVersions.benchmarkId, 'toy-qa'));
    expect(res.provenance.datasetHash).toBe(v?.contentHash);
    expect(res.provenance.device).toBe('cpu');
    const [run] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, id));
    const logs = await p.db
      .select()
      .from(runLogs)
      .where(eq(runLogs.runId, run?.id ?? ''));
    expect(logs.map((l) => l.message)).toContain('scored 5 examples');
    const health = (await (await fetch(`${srv.baseUrl}/api/health`)).json()) as { status: string; runners: number };
    expect(health).toMatchObject({ status: 'ok', runners: 1 });
    expect(await stop(runner)).toBe(0);
  });

  it('survives SIGKILL mid-job: the job is re-delivered after the lease and completes exactly once', async () => {
    const first = startRunner();
    const { id } = await upload(goodPredictions({}, { delayMs: 1000 }));
    const [run] = await waitFor(
      () => `progress (${first.output()})`,
      async () => {
        const runs = await runsOf(id);
        return runs[0]?.state === 'running' && runs[0].progress > 0 ? runs : null;
      },
    );
    const killed = new Promise((r) => first.on('exit', r));
    first.kill('SIGKILL');
    await killed;
    // its lease runs out now rather than in a minute: the next claim sweeps it
    await p.db.execute(
      sql`update evaluation_runs set lease_expires_at = now() - interval '1 second' where id = ${run?.id}`,
    );
    const second = startRunner();
    const done = await finished(id);
    expect(done.state, second.output()).toBe('finished');
    expect((await runsOf(id)).map((r) => [r.attempt, r.state])).toEqual([
      [1, 'expired'],
      [2, 'finished'],
    ]);
    expect(await p.db.select().from(results).where(eq(results.submissionId, id))).toHaveLength(1);
    expect(await stop(second)).toBe(0);
  });

  it('stops work on a submission its owner cancels while it runs, says so, uploads nothing, and goes on', async () => {
    const runner = startRunner();
    const { id } = await upload(goodPredictions({ q1: 'Nice' }, { delayMs: 1500 }));
    // mid-evaluation: the first example is scored, four are left
    const [run] = await waitFor('progress', async () => {
      const runs = await runsOf(id);
      return runs[0]?.state === 'running' && runs[0].progress > 0 ? runs : null;
    });
    await trpcHttp(srv.baseUrl, 'submissions.cancel', { id }, { token: cast.ownerToken.secret, mutation: true });
    const line = `runner: job ${run?.id}: cancelled (the submission was cancelled: the evaluation was stopped and nothing was uploaded)`;
    await waitFor(
      () => `the runner to give up:\n${runner.output()}`,
      async () => runner.output().includes(line),
    );
    expect(runner.output()).not.toContain('warning');
    expect((await stateOf(id))?.state).toBe('cancelled');
    expect((await runsOf(id)).map((r) => [r.attempt, r.state])).toEqual([[1, 'cancelled']]);
    expect(await p.db.select().from(results).where(eq(results.submissionId, id))).toHaveLength(0);

    const next = await upload(goodPredictions({ q2: 'Bonn' }));
    expect((await finished(next.id)).state, runner.output()).toBe('finished');
    expect(await stop(runner)).toBe(0);
  });

  it('gives a job back on a second SIGTERM: queued again as the same attempt, and another runner finishes it', async () => {
    const runner = startRunner();
    const { id } = await upload(goodPredictions({ q4: 'Milan' }, { delayMs: 1000 }));
    const [run] = await waitFor('running', async () => {
      const runs = await runsOf(id);
      return runs[0]?.state === 'running' ? runs : null;
    });
    const exited = new Promise((r) => runner.on('exit', r));
    runner.kill('SIGTERM');
    await waitFor(
      () => `the first signal to be taken:\n${runner.output()}`,
      async () => runner.output().includes('runner: SIGTERM: finishing or releasing the current job'),
    );
    runner.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(runner.output()).toContain('runner: SIGTERM: aborting now');
    expect(runner.output()).toContain(`runner: job ${run?.id}: released (job aborted: shutdown)`);
    expect(await runsOf(id)).toEqual([
      expect.objectContaining({
        id: run?.id,
        state: 'queued',
        attempt: 1,
        try: 1,
        runnerId: null,
        leaseExpiresAt: null,
        progressMessage: 'released by runner',
      }),
    ]);
    expect((await stateOf(id))?.state).toBe('queued');

    const second = startRunner();
    expect((await finished(id)).state, second.output()).toBe('finished');
    expect((await runsOf(id)).map((r) => [r.id, r.attempt, r.state])).toEqual([[run?.id, 1, 'finished']]);
    expect(await p.db.select().from(results).where(eq(results.submissionId, id))).toHaveLength(1);
    expect(await stop(second)).toBe(0);
  });
});
