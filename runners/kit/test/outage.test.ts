import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runner, type RunnerEvent } from '../src/index';
import { FakePlatform } from './fake-platform';
import { GOLD, PREDICTIONS, tinyEvaluator } from './tiny-evaluator';

/*
 * A platform whose database is restarting answers 503 for a while (issue 10 §4). Before the fix a
 * runner gave up on its report after the client's few quick retries, and a job whose inputs could
 * not be fetched meanwhile was failed as `infra` although nothing was wrong with it.
 */

const DATASET = { 'gold/answers.tsv': GOLD };
let platform: FakePlatform;
let dir: string;
let runner: Runner | undefined;

beforeEach(async () => {
  platform = new FakePlatform();
  await platform.listen();
  dir = await mkdtemp(path.join(tmpdir(), 'kit-outage-'));
});
afterEach(async () => {
  await runner?.stop({ graceful: false });
  await platform.close();
  await rm(dir, { recursive: true, force: true });
});

function start() {
  const events: RunnerEvent[] = [];
  runner = new Runner({
    server: platform.url,
    token: platform.token,
    device: 'cpu',
    evaluators: { text2sql: tinyEvaluator() },
    cacheDir: dir,
    waitSeconds: 1,
    once: 1,
    // three quick retries per request, as in production but faster
    client: { baseDelayMs: 1, maxDelayMs: 5 },
    onEvent: (e) => events.push(e),
  });
  return { done: runner.start(), events };
}

describe('a runner during a platform outage', () => {
  it('keeps sending its report until the platform takes it, once', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    // more 503s than one request's own retries absorb
    platform.failNext.set(`POST /api/runner/runs/${job.runId}/complete`, 9);
    const { done, events } = start();
    await done;
    const run = platform.run(job.runId);
    expect(run.completes).toHaveLength(1);
    expect(run.fails).toEqual([]);
    expect(platform.count(`POST /api/runner/runs/${job.runId}/complete`)).toBe(10);
    expect(events.filter((e) => e.type === 'job-finished')).toEqual([
      expect.objectContaining({ outcome: 'completed' }),
    ]);
    expect(events.find((e) => e.type === 'warning')?.message).toMatch(
      /^server error on complete \(503\): try again later; retrying in \d+\.\ds$/,
    );
  });

  it('gives a job back to the queue, not a failure, when its inputs cannot be fetched', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    platform.failNext.set('GET /api/blobs/', 100);
    const { done, events } = start();
    await done;
    const run = platform.run(job.runId);
    expect(run.fails).toEqual([]);
    expect(run.completes).toEqual([]);
    expect(run.releases).toBe(1);
    expect(events.filter((e) => e.type === 'job-finished')).toEqual([expect.objectContaining({ outcome: 'released' })]);
    expect(run.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^the platform was unavailable \(server error on blob \(503\)/),
    );
  });
});
