import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunContext } from '@trueboard/contracts';
import { artifacts, resultMetrics, runners } from '@trueboard/db';
import { goodPredictions, TOY_QA_DIR } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RUNNER_VERSION, Runner } from '../src/index';
import { type Live, livePlatform, startedJob } from './live-platform';
import { probeEvaluator, signal } from './probe-evaluator';

/*
 * The runner's job lifecycle against the real platform: claim, fetch into the cache, evaluate,
 * stream progress and logs, upload or report the failure.
 */

let live: Live;
beforeAll(async () => {
  live = await livePlatform();
});
afterEach(() => live.reset());
afterAll(() => live?.close());

const HOUR = 3_600_000;
const allCorrect = () => goodPredictions({ q3: 'Madrid' });

describe('Runner', () => {
  it('claims a job, runs the evaluator on the cached bundle and uploads the report once', async () => {
    const id = await live.submit();
    const { runner, events } = await live.runner(probeEvaluator(), { once: 1 });
    const complete = vi.spyOn(runner.client, 'complete');
    await runner.start();
    const job = await startedJob(events);

    expect(complete).toHaveBeenCalledTimes(1);
    expect(events.outcomes()).toEqual(['completed']);
    const [result] = await live.results(id);
    if (!result) throw new Error('no result');
    expect(await live.run(job.runId)).toMatchObject({ state: 'finished', progress: 1, progressMessage: 'finished' });
    const metrics = await live.p.db.select().from(resultMetrics).where(eq(resultMetrics.resultId, result.id));
    // goodPredictions answers Barcelona for Madrid: 4 of 5
    expect(metrics.map((m) => [m.name, m.value, m.n])).toEqual([['accuracy', 80, 5]]);
    expect(result.provenance).toMatchObject({
      runnerVersion: RUNNER_VERSION,
      hostname: 'test-box',
      device: 'cpu',
      seed: job.seed,
      datasetHash: job.dataset.contentHash,
      artifactHash: job.artifact.sha256,
      hardware: expect.stringMatching(/cores/),
    });
    expect(RUNNER_VERSION).toBe('0.1.0');

    const root = path.join(runner.cache.dir, 'bundles', job.dataset.contentHash);
    expect(await readFile(path.join(root, 'gold.json'), 'utf8')).toBe(
      await readFile(path.join(TOY_QA_DIR, 'gold.json'), 'utf8'),
    );
    expect(await live.logs(job.runId)).toEqual([
      {
        level: 'info',
        message: `runner test-box (kit ${RUNNER_VERSION}, cpu) running toy-exact-match 1.0.0 on toy-qa v1, attempt 1`,
      },
      { level: 'info', message: 'scored 5 examples' },
    ]);
    const [registered] = await live.p.db
      .select()
      .from(runners)
      .where(eq(runners.id, runner.runnerId ?? ''));
    expect(registered).toMatchObject({
      hostname: 'test-box',
      device: 'cpu',
      families: ['text2sql'],
      version: RUNNER_VERSION,
    });
    expect(events.warnings()).toEqual([]);
  });

  it('coalesces progress and sends every log line, in requests the platform accepts (at most 500 lines)', async () => {
    const id = await live.submit();
    const during = async (ctx: RunContext) => {
      for (let i = 0; i < 200; i++) ctx.progress(i / 400, `warming ${i}`);
      for (let i = 0; i < 1200; i++) ctx.log('debug', `line ${i}`);
    };
    // one progress request per hour at most: the first goes out at once, the rest wait for the upload
    const { runner, events } = await live.runner(probeEvaluator({ during }), {
      once: 1,
      progressIntervalMs: HOUR,
      logFlushMs: HOUR,
    });
    const progress = vi.spyOn(runner.client, 'progress');
    const logs = vi.spyOn(runner.client, 'logs');
    await runner.start();
    const job = await startedJob(events);

    expect(progress.mock.calls).toEqual([
      [job.runId, { fraction: 0, message: 'warming 0' }],
      [job.runId, { fraction: 1, message: 'example 5/5' }],
    ]);
    expect(logs.mock.calls.map(([, lines]) => lines.length)).toEqual([500, 500, 202]);
    const stored = (await live.logs(job.runId)).map((l) => l.message).filter((m) => m.startsWith('line '));
    expect(stored).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    expect(events.warnings()).toEqual([]);
    expect(await live.results(id)).toHaveLength(1);
  });

  it('reports a SubmissionError as user_error with its message', async () => {
    const id = await live.submit(new TextEncoder().encode('{"answers": {}}'));
    const { runner, events } = await live.runner(probeEvaluator(), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    const message = 'artifact: missing "predictions" object keyed by example id';
    expect(await live.run(job.runId)).toMatchObject({
      state: 'failed',
      failureCategory: 'user_error',
      failureMessage: message,
    });
    expect(await live.submission(id)).toMatchObject({ state: 'failed', failureCategory: 'user_error' });
    expect((await live.logs(job.runId)).at(-1)).toEqual({ level: 'error', message });
    expect(await live.results(id)).toEqual([]);
    expect(events.outcomes()).toEqual(['failed']);
  });

  it('reports other errors as infra failures', async () => {
    await live.submit();
    const prepare = () => Promise.reject(new Error('gold.json: disk on fire'));
    const { runner, events } = await live.runner(probeEvaluator({ prepare }), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    expect(await live.run(job.runId)).toMatchObject({
      state: 'failed',
      failureCategory: 'infra',
      failureMessage: 'gold.json: disk on fire',
    });
  });

  it('refuses to upload an invalid report and names the offending field', async () => {
    const id = await live.submit();
    const mutate = (r: object) => ({ ...r, metrics: [{ name: 'accuracy', value: Number.NaN, n: 5 }] });
    const { runner, events } = await live.runner(probeEvaluator({ mutate }), { once: 1 });
    const complete = vi.spyOn(runner.client, 'complete');
    await runner.start();
    const job = await startedJob(events);
    expect(complete).not.toHaveBeenCalled();
    const run = await live.run(job.runId);
    expect(run.failureCategory).toBe('infra');
    expect(run.failureMessage).toMatch(
      /^evaluator toy-exact-match 1\.0\.0 returned an invalid report: metrics\.0\.value: /,
    );
    expect(await live.results(id)).toEqual([]);
  });

  it('refuses a report whose provenance names another dataset', async () => {
    await live.submit();
    const other = 'f'.repeat(64);
    const mutate = (r: { provenance?: object }) => ({ ...r, provenance: { ...r.provenance, datasetHash: other } });
    const { runner, events } = await live.runner(probeEvaluator({ mutate }), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    expect((await live.run(job.runId)).failureMessage).toBe(
      `evaluator toy-exact-match 1.0.0 returned a report with provenance.datasetHash "${other}" for a job with "${job.dataset.contentHash}"`,
    );
  });

  it('prepares a dataset version once for several jobs', async () => {
    const a = await live.submit();
    const b = await live.submit(allCorrect());
    const probe = probeEvaluator();
    const { runner } = await live.runner(probe, { once: 2 });
    await runner.start();
    expect(probe.prepareCalls).toBe(1);
    const value = async (id: string) => {
      const [r] = await live.results(id);
      const [m] = await live.p.db
        .select()
        .from(resultMetrics)
        .where(eq(resultMetrics.resultId, r?.id ?? ''));
      return m?.value;
    };
    expect([await value(a), await value(b)]).toEqual([80, 100]);
  });

  it('fails as infra when the artifact bytes it receives do not match their hash', async () => {
    const id = await live.submit(goodPredictions({ q1: 'Lyon' }));
    const { artifactSha256: sha } = await live.submission(id);
    const [stored] = await live.p.db.select().from(artifacts).where(eq(artifacts.sha256, sha));
    const file = stored && live.p.storage.localPath?.(stored.storageKey);
    if (!file) throw new Error('the test platform keeps blobs in local files');
    // the store's copy rots: same length, other bytes
    const bytes = await readFile(file);
    await writeFile(file, Buffer.from(bytes.toString('latin1').replace('Lyon', 'Nice'), 'latin1'));
    const { runner, events } = await live.runner(probeEvaluator(), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    const run = await live.run(job.runId);
    expect(run.failureCategory).toBe('infra');
    expect(run.failureMessage).toMatch(
      new RegExp(`^blob ${sha}: downloaded bytes hash to [0-9a-f]{64}; refusing to cache them$`),
    );
    expect(await live.results(id)).toEqual([]);
  });

  it('stop() lets a job that finishes within the grace period upload, then claims no more', async () => {
    const id = await live.submit();
    const entered = signal();
    const proceed = signal();
    const during = async () => {
      entered.resolve();
      await proceed.promise;
    };
    const { runner, events } = await live.runner(probeEvaluator({ during }));
    const release = vi.spyOn(runner.client, 'release');
    const done = runner.start();
    await entered.promise;
    const stopping = runner.stop({ graceMs: HOUR });
    proceed.resolve();
    await stopping;
    await done;
    expect(events.outcomes()).toEqual(['completed']);
    expect(release).not.toHaveBeenCalled();
    expect(await live.results(id)).toHaveLength(1);
    // start() has returned: the claim loop is over, so nothing submitted now can be claimed by it
    expect(events.all.at(-1)).toEqual({ type: 'stopped' });
  });

  it('waits for an unreachable server with one-line warnings, and works once it is up', async () => {
    await live.server.down();
    const { runner, events } = await live.runner(probeEvaluator(), {
      once: 1,
      reconnectDelayMs: 5,
      client: { retries: 0 },
    });
    const done = runner.start();
    const first = await events.warning(/./);
    await events.waitFor((e) => e.type === 'warning' && e !== first);
    expect(events.warnings()[0]).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+ for register: ECONNREFUSED; retrying in \d+\.\ds$/,
    );
    expect(events.warnings().every((w) => !w.includes('\n'))).toBe(true);
    await live.server.up();
    const id = await live.submit();
    await done;
    expect(events.outcomes()).toEqual(['completed']);
    expect(await live.results(id)).toHaveLength(1);
  });

  it('rejects start() when the server refuses the token', async () => {
    const { runner } = await live.runner(probeEvaluator(), { token: 'tbr_stolen' });
    await expect(runner.start()).rejects.toThrow(
      'server refused register (401): no valid runner token: the one sent is unknown, revoked or expired, or none was sent (an admin creates one with `trueboard token create --runner`)',
    );
  });

  it('refuses to start without an evaluator for a requested family', () => {
    expect(
      () =>
        new Runner({
          server: live.url,
          token: live.runnerToken,
          device: 'cpu',
          evaluators: { text2sql: probeEvaluator() },
          families: ['rerank'],
        }),
    ).toThrow('no evaluator given for family rerank');
  });
});

describe('Runner heartbeats', () => {
  let short: Live;
  beforeAll(async () => {
    // the platform's lease decides the rhythm: 3 s leases, a heartbeat every second
    short = await livePlatform({ leaseSeconds: 3 });
  });
  afterAll(() => short?.close());

  it('sends one every leaseSeconds / 3 by default, and each extends the lease', { timeout: 30_000 }, async () => {
    const id = await short.submit();
    const twice = signal();
    // the evaluation lasts until two heartbeats went through: without them the test times out
    const { runner, events } = await short.runner(probeEvaluator({ during: () => twice.promise }), { once: 1 });
    const heartbeat = runner.client.heartbeat.bind(runner.client);
    const leases: string[] = [];
    vi.spyOn(runner.client, 'heartbeat').mockImplementation(async (runId) => {
      const res = await heartbeat(runId);
      leases.push(res.leaseExpiresAt);
      if (leases.length === 2) twice.resolve();
      return res;
    });
    await runner.start();
    const job = await startedJob(events);
    expect(job.leaseSeconds).toBe(3);
    const [first, second] = leases.map((l) => new Date(l).getTime());
    expect(first).toBeGreaterThan(new Date(job.leaseExpiresAt).getTime());
    expect(second).toBeGreaterThan(first ?? Number.POSITIVE_INFINITY);
    expect(await short.results(id)).toHaveLength(1);
  });
});
