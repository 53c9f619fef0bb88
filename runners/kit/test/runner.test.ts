import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Evaluator, RunContext } from '@trueboard/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobAbortedError, RUNNER_VERSION, Runner, type RunnerEvent, type RunnerOptions } from '../src/index';
import { FakePlatform, freePort, until } from './fake-platform';
import { GOLD, PREDICTIONS, type TinyOptions, tinyEvaluator } from './tiny-evaluator';

const DATASET = { 'gold/answers.tsv': GOLD, 'README.md': '# tiny' };

let platform: FakePlatform;
let dir: string;
const runners: Runner[] = [];

beforeEach(async () => {
  platform = new FakePlatform();
  await platform.listen();
  dir = await mkdtemp(path.join(tmpdir(), 'kit-runner-'));
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop({ graceful: false })));
  await platform.close();
  await rm(dir, { recursive: true, force: true });
});

function makeRunner(evaluator: Evaluator, extra: Partial<RunnerOptions> = {}) {
  const events: RunnerEvent[] = [];
  const runner = new Runner({
    server: platform.url,
    token: platform.token,
    device: 'cpu',
    evaluators: { text2sql: evaluator },
    cacheDir: dir,
    hostname: 'test-box',
    waitSeconds: 1,
    client: { baseDelayMs: 1, maxDelayMs: 5 },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  runners.push(runner);
  const outcomes = () => events.flatMap((e) => (e.type === 'job-finished' ? [e.outcome] : []));
  return { runner, events, outcomes };
}

/** An evaluator step that blocks until the job is aborted, remembering the signal it saw. */
function blockUntilAborted(seen: { signal?: AbortSignal }): TinyOptions['during'] {
  return (ctx: RunContext) =>
    new Promise<void>((resolve) => {
      seen.signal = ctx.signal;
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
}

function abortCause(seen: { signal?: AbortSignal }): string | undefined {
  const reason: unknown = seen.signal?.reason;
  return reason instanceof JobAbortedError ? reason.reason : undefined;
}

describe('Runner', () => {
  it('claims a job, runs the evaluator on the cached bundle and uploads the report once', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const { runner, outcomes } = makeRunner(tinyEvaluator(), { once: 1 });
    await runner.start();

    const run = platform.run(job.runId);
    expect(run.completes).toHaveLength(1);
    expect(run.fails).toEqual([]);
    expect(run.releases).toBe(0);
    const report = run.completes[0];
    expect(report?.metrics).toEqual([expect.objectContaining({ name: 'ex', value: 50, n: 2 })]);
    expect(report?.examples.map((e) => [e.id, e.verdict])).toEqual([
      ['q1', 1],
      ['q2', 0],
    ]);
    expect(report?.provenance).toMatchObject({
      runnerVersion: RUNNER_VERSION,
      hostname: 'test-box',
      device: 'cpu',
      seed: job.seed,
      datasetHash: job.dataset.contentHash,
      artifactHash: job.artifact.sha256,
      hardware: expect.stringMatching(/cores/),
    });
    expect(RUNNER_VERSION).toBe('0.1.0');

    const root = path.join(dir, 'bundles', job.dataset.contentHash);
    expect(await readFile(path.join(root, 'gold', 'answers.tsv'), 'utf8')).toBe(GOLD);
    expect(await readFile(path.join(root, 'README.md'), 'utf8')).toBe('# tiny');

    expect(run.progress.at(-1)).toEqual({ fraction: 1, message: '2/2' });
    expect(run.logs.map((l) => l.message)).toContain('evaluated 2 examples');
    expect(platform.registrations).toEqual([
      { hostname: 'test-box', device: 'cpu', families: ['text2sql'], version: RUNNER_VERSION },
    ]);
    expect(platform.badRequests).toEqual([]);
    expect(outcomes()).toEqual(['completed']);
  });

  it('throttles progress and batches logs in requests of at most 500 lines', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const during = async (ctx: RunContext) => {
      for (let i = 0; i < 200; i++) ctx.progress(i / 400, `warming ${i}`);
      for (let i = 0; i < 1200; i++) ctx.log('debug', `line ${i}`);
    };
    const { runner } = makeRunner(tinyEvaluator({ during }), { once: 1 });
    await runner.start();

    const run = platform.run(job.runId);
    // 200 + 2 calls within milliseconds: the first goes out at once, the rest coalesce to the latest
    expect(run.progress.length).toBeLessThanOrEqual(3);
    expect(run.progress[0]).toEqual({ fraction: 0, message: 'warming 0' });
    expect(run.progress.at(-1)).toEqual({ fraction: 1, message: '2/2' });
    const lines = run.logs.map((l) => l.message).filter((m) => m.startsWith('line '));
    expect(lines).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    expect(run.logRequests).toBeGreaterThanOrEqual(3);
    expect(run.logs.every((l) => l.ts !== undefined)).toBe(true);
    expect(platform.badRequests).toEqual([]);
  });

  it('reports a SubmissionError as user_error with its message', async () => {
    const job = platform.enqueue(DATASET, 'SELECT 1 without an id\n');
    const { runner, outcomes } = makeRunner(tinyEvaluator(), { once: 1 });
    await runner.start();
    const run = platform.run(job.runId);
    expect(run.fails).toEqual([{ category: 'user_error', message: 'predictions line 1: expected "id<TAB>sql"' }]);
    expect(run.completes).toEqual([]);
    expect(run.logs.at(-1)).toMatchObject({ level: 'error', message: 'predictions line 1: expected "id<TAB>sql"' });
    expect(outcomes()).toEqual(['failed']);
  });

  it('reports other errors as infra failures', async () => {
    const job = platform.enqueue({ 'README.md': 'no gold here' }, PREDICTIONS);
    const { runner } = makeRunner(tinyEvaluator(), { once: 1 });
    await runner.start();
    const [failure] = platform.run(job.runId).fails;
    expect(failure?.category).toBe('infra');
    expect(failure?.message).toMatch(/ENOENT.*gold[/\\]answers\.tsv/);
  });

  it('refuses to upload an invalid report and names the offending field', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const mutate = (r: object) => ({ ...r, metrics: [{ name: 'ex', value: Number.NaN, n: 2 }] });
    const { runner } = makeRunner(tinyEvaluator({ mutate }), { once: 1 });
    await runner.start();
    const run = platform.run(job.runId);
    expect(run.completes).toEqual([]);
    expect(run.fails).toHaveLength(1);
    expect(run.fails[0]?.category).toBe('infra');
    expect(run.fails[0]?.message).toMatch(
      /^evaluator tiny-sql 1\.0\.0 returned an invalid report: metrics\.0\.value: /,
    );
  });

  it('refuses a report whose provenance names another dataset', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const other = 'f'.repeat(64);
    const mutate = (r: { provenance: object }) => ({ ...r, provenance: { ...r.provenance, datasetHash: other } });
    const { runner } = makeRunner(tinyEvaluator({ mutate }), { once: 1 });
    await runner.start();
    expect(platform.run(job.runId).fails[0]?.message).toContain(
      `provenance.datasetHash "${other}" for a job with "${job.dataset.contentHash}"`,
    );
  });

  it('aborts the evaluator and uploads nothing when a heartbeat says the lease is lost', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const seen: { signal?: AbortSignal } = {};
    const keep = platform.heartbeat;
    // the lease is lost only once the evaluator runs, so the test does not depend on download speed
    platform.heartbeat = (runId) =>
      seen.signal ? { status: 409, body: { error: { code: 'conflict', message: 'lease expired' } } } : keep(runId);
    // the evaluator finishes normally once aborted: the harness must still not upload its report
    const { runner, outcomes } = makeRunner(tinyEvaluator({ during: blockUntilAborted(seen) }), {
      once: 1,
      heartbeatMs: 30,
    });
    await runner.start();
    const run = platform.run(job.runId);
    expect(seen.signal?.aborted).toBe(true);
    expect(abortCause(seen)).toBe('lease-lost');
    expect(run.heartbeats).toBeGreaterThanOrEqual(1);
    expect(run.completes).toEqual([]);
    expect(run.fails).toEqual([]);
    expect(run.releases).toBe(0);
    expect(platform.count(`POST /api/runner/runs/${job.runId}/complete`)).toBe(0);
    expect(outcomes()).toEqual(['lease-lost']);
  });

  it('stops work without uploading when the submission is cancelled', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const seen: { signal?: AbortSignal } = {};
    platform.heartbeat = () => ({
      status: 200,
      body: { leaseExpiresAt: new Date().toISOString(), cancelled: seen.signal !== undefined },
    });
    const { runner, outcomes } = makeRunner(tinyEvaluator({ during: blockUntilAborted(seen) }), {
      once: 1,
      heartbeatMs: 30,
    });
    await runner.start();
    const run = platform.run(job.runId);
    expect(seen.signal?.aborted).toBe(true);
    expect(run.completes).toEqual([]);
    expect(run.fails).toEqual([]);
    expect(outcomes()).toEqual(['cancelled']);
  });

  it('heartbeats every leaseSeconds / 3 while a job runs', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS, { leaseSeconds: 1 });
    const during = () => until(() => platform.run(job.runId).heartbeats >= 2, 'two heartbeats');
    const { runner } = makeRunner(tinyEvaluator({ during }), { once: 1 });
    await runner.start();
    expect(platform.run(job.runId).completes).toHaveLength(1);
  });

  it('stop() aborts a job that outlives the grace period and releases it', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    const seen: { signal?: AbortSignal } = {};
    // ignores its signal on purpose: shutdown must not wait for it
    const during = (ctx: RunContext) => {
      seen.signal = ctx.signal;
      return new Promise<void>(() => {});
    };
    const { runner, outcomes } = makeRunner(tinyEvaluator({ during }));
    const started = runner.start();
    await until(() => seen.signal !== undefined, 'the evaluator to start');
    await runner.stop({ graceMs: 50 });
    await started;
    const run = platform.run(job.runId);
    expect(run.releases).toBe(1);
    expect(run.completes).toEqual([]);
    expect(run.fails).toEqual([]);
    expect(abortCause(seen)).toBe('shutdown');
    expect(outcomes()).toEqual(['released']);
  });

  it('stop() lets a job that finishes within the grace period upload, then claims no more', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    let entered = false;
    const during = async () => {
      entered = true;
      await new Promise((r) => setTimeout(r, 200));
    };
    const { runner } = makeRunner(tinyEvaluator({ during }));
    const started = runner.start();
    await until(() => entered, 'the evaluator to start');
    await runner.stop({ graceMs: 10_000 });
    await started;
    const claims = platform.count('POST /api/runner/claim');
    const run = platform.run(job.runId);
    expect(run.completes).toHaveLength(1);
    expect(run.releases).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(platform.count('POST /api/runner/claim')).toBe(claims);
  });

  it('stop() while idle ends a pending long-poll promptly', async () => {
    const { runner, events } = makeRunner(tinyEvaluator(), { waitSeconds: 30 });
    const started = runner.start();
    await until(() => platform.count('POST /api/runner/claim') === 1, 'a claim');
    await runner.stop();
    await started;
    expect(events.at(-1)).toEqual({ type: 'stopped' });
  });

  it('prepares a dataset version once for several jobs', async () => {
    const a = platform.enqueue(DATASET, PREDICTIONS);
    const b = platform.enqueue(DATASET, GOLD);
    const evaluator = tinyEvaluator();
    const { runner } = makeRunner(evaluator, { once: 2 });
    await runner.start();
    expect(evaluator.prepareCalls).toBe(1);
    expect(platform.run(a.runId).completes[0]?.metrics[0]?.value).toBe(50);
    expect(platform.run(b.runId).completes[0]?.metrics[0]?.value).toBe(100);
  });

  it('fails as infra when the artifact bytes do not match their hash', async () => {
    const job = platform.enqueue(DATASET, PREDICTIONS);
    platform.addBlob('tampered', job.artifact.sha256);
    const { runner } = makeRunner(tinyEvaluator(), { once: 1 });
    await runner.start();
    const [failure] = platform.run(job.runId).fails;
    expect(failure).toMatchObject({ category: 'infra' });
    expect(failure?.message).toContain(`blob ${job.artifact.sha256}: downloaded bytes hash to`);
    expect(platform.run(job.runId).completes).toEqual([]);
  });

  it('waits for an unreachable server with one-line warnings instead of crashing', async () => {
    const port = await freePort();
    const late = new FakePlatform();
    const { runner, events } = makeRunner(tinyEvaluator(), {
      server: `http://127.0.0.1:${port}`,
      token: late.token,
      once: 1,
      reconnectDelayMs: 5,
      client: { retries: 0 },
    });
    const started = runner.start();
    const warnings = () => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    await until(() => warnings().length >= 2, 'warnings');
    expect(warnings()[0]).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+ for register: ECONNREFUSED; retrying in/);
    expect(warnings().every((w) => !w.includes('\n'))).toBe(true);
    await late.listen(port);
    try {
      const job = late.enqueue(DATASET, PREDICTIONS);
      await started;
      expect(late.run(job.runId).completes).toHaveLength(1);
    } finally {
      await late.close();
    }
  });

  it('rejects start() when the server refuses the token', async () => {
    const { runner } = makeRunner(tinyEvaluator(), { token: 'stolen' });
    await expect(runner.start()).rejects.toThrow('server refused register (401): invalid runner token');
  });

  it('refuses to start without an evaluator for a requested family', () => {
    expect(() => makeRunner(tinyEvaluator(), { families: ['rerank'] })).toThrow('no evaluator given for family rerank');
  });
});
