import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBenchmarkDir, submit } from '@trueboard/core';
import { packDirectory } from '@trueboard/core/pack-directory';
import { evaluationRuns, submissions } from '@trueboard/db';
import { Runner } from '@trueboard/kit';
import { serveTestPlatform, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, expect, it, vi } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import { createRerankEvaluator } from '../../../runners/rerank/src/evaluator';
import { beirSmallBenchmark } from './beir-small-benchmark';

/*
 * A submitted model whose graph never finishes a batch (a Loop of 2^62 iterations), on a real rerank
 * runner against the real platform with a 2 s lease. The session runs in its ONNX worker process, so
 * the runner keeps its lease with heartbeats while the batch runs, stops the batch at the per-batch
 * limit, and the submission fails once, as the submitter's (user_error). With the session on the
 * runner's own thread, no heartbeat went out: the lease expired, the job went from runner to runner
 * and ended as `infra`, and the runner holding it never came back.
 */

const scratch = mkdtempSync(join(tmpdir(), 'tb-rerank-hostile-'));
let p: TestPlatform | undefined;
let srv: Awaited<ReturnType<typeof serveTestPlatform>> | undefined;
afterAll(async () => {
  await srv?.close();
  await p?.close();
  await rm(scratch, { recursive: true, force: true });
});

it('a model that never finishes a batch: the runner keeps its lease, stops it at the limit, and it fails once as user_error', {
  timeout: 120_000,
}, async () => {
  p = await testPlatform({ leaseSeconds: 2, dailyQuota: 100 });
  const cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
  await importBenchmarkDir(p, cast.admin.actor, beirSmallBenchmark(scratch));
  const model = join(scratch, 'model');
  await writeTestModel(model, { variant: { hostile: 'endless' } });
  const tar = join(scratch, 'model.tar');
  await packDirectory(model, tar);
  const meta = { benchmark: 'beir-small', method: cast.method.id };
  const { id } = await submit(p, cast.acme.owner.actor, meta, await readFile(tar));

  const outcomes: string[] = [];
  const runner = new Runner({
    server: srv.baseUrl,
    token: cast.runnerToken.secret,
    families: ['rerank'],
    device: 'cpu',
    // three leases' worth: the lease would have run out twice over without heartbeats
    evaluators: { rerank: createRerankEvaluator({ batchTimeoutMs: 6000 }) },
    cacheDir: join(scratch, 'runner-cache'),
    hostname: 'rerank-box',
    waitSeconds: 1,
    once: 1,
    onEvent: (e) => {
      if (e.type === 'job-finished') outcomes.push(e.outcome);
    },
  });
  const heartbeats = vi.spyOn(runner.client, 'heartbeat');
  await runner.start();

  expect(outcomes).toEqual(['failed']);
  // one attempt: it never expired and went to another runner
  const runs = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, id));
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ attempt: 1, state: 'failed', failureCategory: 'user_error' });
  expect(runs[0]?.failureMessage).toMatch(
    /^the model did not finish a batch of \d+ pairs × \d+ tokens: it ran longer than 6 s, the limit per batch; the ONNX worker running it was killed/,
  );
  const [s] = await p.db.select().from(submissions).where(eq(submissions.id, id));
  expect(s).toMatchObject({ state: 'failed' });
  // every ~0.67 s (a third of the lease) through the 6 s batch
  expect(heartbeats.mock.calls.length).toBeGreaterThanOrEqual(5);
});
