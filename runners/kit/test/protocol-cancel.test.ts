import type { Job, RunContext } from '@trueboard/contracts';
import { registerRunner, resolveSecret } from '@trueboard/core';
import { waitFor } from '@trueboard/testkit';
import { describe, expect, it, vi } from 'vitest';
import { PlatformClient, RUNNER_VERSION } from '../src/index';
import { startedJob } from './live-platform';
import { abortCause, probeEvaluator, signal } from './probe-evaluator';
import { aReport, blockFirstJob, HOUR, live, useLivePlatform } from './protocol-setup';

/*
 * The runner protocol between the kit and the real platform when the owner cancels a submission:
 * what the runner and the platform each do, whatever the runner is doing at that moment.
 */

useLivePlatform();

const CANCELLED = 'the submission was cancelled: the evaluation was stopped and nothing was uploaded';

describe('a submission cancelled while a runner works on it', () => {
  it('the heartbeat says cancelled: the evaluator is aborted, the runner says why, uploads nothing and goes on', async () => {
    const first = await live.submit();
    const { probe, running } = blockFirstJob();
    const { runner, events } = await live.runner(probe, { once: 2, heartbeatMs: 50 });
    const complete = vi.spyOn(runner.client, 'complete');
    const done = runner.start();
    const ctx = await running;
    const job = await startedJob(events);

    expect(await live.cancel(first)).toEqual({ id: first, state: 'cancelled' });
    expect(await events.finished(job.runId)).toEqual({
      type: 'job-finished',
      runId: job.runId,
      outcome: 'cancelled',
      message: CANCELLED,
    });
    expect(abortCause(ctx)).toBe('cancelled');
    expect(events.all).toContainEqual({
      type: 'log',
      runId: job.runId,
      level: 'warn',
      message: 'stopped: the submission was cancelled',
    });
    expect(complete).not.toHaveBeenCalled();
    expect(await live.results(first)).toEqual([]);
    expect(await live.run(job.runId)).toMatchObject({ state: 'cancelled', leaseExpiresAt: null });
    expect((await live.submission(first)).state).toBe('cancelled');

    // nothing is stuck: the same runner takes the next job and finishes it
    const second = await live.submit();
    await done;
    expect(events.outcomes()).toEqual(['cancelled', 'completed']);
    expect(await live.results(second)).toHaveLength(1);
    expect(events.warnings()).toEqual([]);
  });

  it('a refused progress report makes the runner ask at once, without waiting for the next heartbeat', {
    timeout: 30_000,
  }, async () => {
    const id = await live.submit();
    const running = signal<RunContext>();
    // an evaluator that reports progress as it works, as real ones do per example
    const probe = probeEvaluator({
      during: async (ctx) => {
        running.resolve(ctx);
        for (let i = 1; !ctx.signal.aborted; i++) {
          ctx.progress(0.5, `step ${i}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    });
    // heartbeats are an hour apart: only the refused progress can tell the runner in time
    const { runner, events } = await live.runner(probe, { once: 1, heartbeatMs: HOUR, progressIntervalMs: 0 });
    const heartbeat = vi.spyOn(runner.client, 'heartbeat');
    const done = runner.start();
    const ctx = await running.promise;
    await live.cancel(id);
    await done;
    expect(events.outcomes()).toEqual(['cancelled']);
    expect(abortCause(ctx)).toBe('cancelled');
    expect(heartbeat).toHaveBeenCalledTimes(1);
    expect(await heartbeat.mock.results[0]?.value).toMatchObject({ cancelled: true });
    expect(events.warnings()).toEqual([]);
    expect(await live.results(id)).toEqual([]);
  });

  it('an evaluation that ends right after the cancel is not uploaded: the refused log flush decides', async () => {
    const id = await live.submit();
    const probe = probeEvaluator({ silent: true, during: async () => void (await live.cancel(id)) });
    // the kit's first log line waits for the flush before the upload
    const { runner, events } = await live.runner(probe, { once: 1, heartbeatMs: HOUR, logFlushMs: HOUR });
    const complete = vi.spyOn(runner.client, 'complete');
    await runner.start();
    const job = await startedJob(events);
    expect(await events.finished(job.runId)).toMatchObject({ outcome: 'cancelled', message: CANCELLED });
    expect(complete).not.toHaveBeenCalled();
    expect(await live.results(id)).toEqual([]);
    expect(events.warnings()).toEqual([]);
  });

  it('an upload refused because of the cancel ends the job as cancelled, not as a lost lease', async () => {
    const id = await live.submit();
    let job: Job | undefined;
    const probe = probeEvaluator({
      silent: true,
      during: async () => {
        const runId = job?.runId ?? '';
        // the kit's first log line is on the platform: nothing is left to send before the report
        await waitFor('the first log line', async () => (await live.logs(runId)).length === 1);
        await live.cancel(id);
      },
    });
    const { runner, events } = await live.runner(probe, { once: 1, heartbeatMs: HOUR, logFlushMs: 1 });
    void events.started().then((e) => {
      job = e.job;
    });
    const complete = vi.spyOn(runner.client, 'complete');
    await runner.start();
    const runId = job?.runId ?? '';
    expect(await events.finished(runId)).toMatchObject({ outcome: 'cancelled', message: CANCELLED });
    expect(complete).toHaveBeenCalledTimes(1);
    await expect(complete.mock.results[0]?.value).rejects.toMatchObject({
      status: 409,
      message: 'server refused complete (409): lease lost: the run is cancelled; stop work on this job',
    });
    expect(await live.results(id)).toEqual([]);
    expect(events.warnings()).toEqual([]);
  });

  it('a cancel before the inputs are fetched ends the job as cancelled, not as a failure', async () => {
    const id = await live.submit();
    const { runner, events } = await live.runner(probeEvaluator(), { once: 1, heartbeatMs: HOUR });
    const materialize = runner.cache.materializeBundle.bind(runner.cache);
    // the owner cancels between the claim and the download: the platform then refuses the blobs (404)
    vi.spyOn(runner.cache, 'materializeBundle').mockImplementation(async (ref, abort) => {
      await live.cancel(id);
      return materialize(ref, abort);
    });
    const fail = vi.spyOn(runner.client, 'fail');
    await runner.start();
    const job = await startedJob(events);
    expect(await events.finished(job.runId)).toMatchObject({ outcome: 'cancelled', message: CANCELLED });
    expect(fail).not.toHaveBeenCalled();
    expect(await live.run(job.runId)).toMatchObject({ state: 'cancelled', failureCategory: null });
    expect(events.warnings()).toEqual([]);
  });

  it('the platform answers the holder: heartbeat says cancelled, progress and upload are refused', async () => {
    const id = await live.submit();
    const client = new PlatformClient(live.url, live.runnerToken, { retries: 0 });
    const { runnerId } = await client.register({
      hostname: 'h',
      device: 'cpu',
      families: ['text2sql'],
      version: RUNNER_VERSION,
    });
    const job = await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 });
    if (!job) throw new Error('no job');
    expect(await client.heartbeat(job.runId)).toMatchObject({ cancelled: false });
    await live.cancel(id);
    expect(await client.heartbeat(job.runId)).toEqual({ leaseExpiresAt: expect.any(String), cancelled: true });
    await expect(client.progress(job.runId, { fraction: 0.5, message: '' })).rejects.toThrow(
      'server refused progress (409): lease lost: the run is cancelled; stop work on this job',
    );
    const report = aReport(job);
    await expect(client.complete(job.runId, report)).rejects.toThrow(
      'server refused complete (409): lease lost: the run is cancelled; stop work on this job',
    );
    expect(await live.results(id)).toEqual([]);
  });

  it('a queued submission cancelled before any runner claimed it is never handed out', async () => {
    const id = await live.submit();
    await live.cancel(id);
    const actor = await resolveSecret(live.p, live.runnerToken);
    const { runnerId } = await registerRunner(live.p, actor, {
      hostname: 'h',
      device: 'cpu',
      families: ['text2sql'],
      version: RUNNER_VERSION,
    });
    const client = new PlatformClient(live.url, live.runnerToken, { retries: 0 });
    expect(await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 })).toBeNull();
    expect((await live.runs(id)).map((r) => [r.attempt, r.state, r.runnerId])).toEqual([[1, 'cancelled', null]]);
  });
});
