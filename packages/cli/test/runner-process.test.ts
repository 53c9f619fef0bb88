import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cancelSubmission } from '@trueboard/core';
import {
  datasetVersions,
  evaluationRuns,
  exampleResults,
  resultMetrics,
  results,
  runLogs,
  submissions,
} from '@trueboard/db';
import { goodPredictions, serveTestPlatform, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { asc, eq } from 'drizzle-orm';
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

beforeAll(async () => {
  p = await testPlatform({ leaseSeconds: 3, maxAttempts: 3 });
  cast = await toyScenario(p);
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
    const done = await waitFor('finished', async () => {
      const s = await stateOf(id);
      return s?.state === 'finished' || s?.state === 'failed' ? s : null;
    });
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
    runner.kill('SIGTERM');
    expect(await new Promise((r) => runner.on('exit', r))).toBe(0);
  });

  it('survives SIGKILL mid-job: the job is re-delivered after the lease and completes exactly once', async () => {
    const first = startRunner();
    const { id } = await upload(goodPredictions({}, { delayMs: 1200 }));
    await waitFor(
      () => `progress (${first.output()})`,
      async () => {
        const [run] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, id));
        return run?.state === 'running' && run.progress > 0;
      },
    );
    first.kill('SIGKILL');
    const second = startRunner();
    const done = await waitFor('finished', async () => {
      const s = await stateOf(id);
      return s?.state === 'finished' || s?.state === 'failed' ? s : null;
    });
    expect(done.state, second.output()).toBe('finished');
    const runs = await p.db
      .select()
      .from(evaluationRuns)
      .where(eq(evaluationRuns.submissionId, id))
      .orderBy(asc(evaluationRuns.attempt));
    expect(runs.map((r) => [r.attempt, r.state])).toEqual([
      [1, 'expired'],
      [2, 'finished'],
    ]);
    expect(await p.db.select().from(results).where(eq(results.submissionId, id))).toHaveLength(1);
    second.kill('SIGTERM');
  });

  it('stops work on a submission its owner cancels while it runs, and uploads nothing', async () => {
    const runner = startRunner();
    const { id } = await upload(goodPredictions({ q1: 'Nice' }, { delayMs: 1500 }));
    await waitFor('running', async () => (await stateOf(id))?.state === 'running');
    await cancelSubmission(p, cast.acme.owner.actor, id);
    await waitFor(
      () => `the runner to give up:\n${runner.output()}`,
      async () => runner.output().includes('cancelled'),
    );
    expect((await stateOf(id))?.state).toBe('cancelled');
    expect(await p.db.select().from(results).where(eq(results.submissionId, id))).toHaveLength(0);
    runner.kill('SIGTERM');
  });
});
