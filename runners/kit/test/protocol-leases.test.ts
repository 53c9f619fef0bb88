import type { Job, RunContext } from '@trueboard/contracts';
import { sweepExpiredLeases } from '@trueboard/core';
import { runners } from '@trueboard/db';
import { waitFor } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { startedJob } from './live-platform';
import { abortCause, probeEvaluator, signal, untilAborted } from './probe-evaluator';
import { HOUR, live, useLivePlatform } from './protocol-setup';

/*
 * The runner protocol between the kit and the real platform around a job's lease: a runner that
 * stops holding a job gives it back, a runner whose lease ran out stops work and sends nothing, and
 * a runner stopped in a claim long-poll leaves later jobs to others.
 */

useLivePlatform();

const EPOCH = new Date(0);

describe('a runner that stops with a job in hand', () => {
  it('gives it back: the same run is queued again as the same attempt, and another runner finishes it', async () => {
    const id = await live.submit();
    const running = signal<RunContext>();
    // ignores its signal on purpose: shutdown must not wait for it
    const stuck = probeEvaluator({
      during: (ctx) => {
        running.resolve(ctx);
        return new Promise(() => {});
      },
    });
    const { runner, events } = await live.runner(stuck, { heartbeatMs: HOUR });
    const done = runner.start();
    const ctx = await running.promise;
    const job = await startedJob(events);
    await runner.stop({ graceMs: 50 });
    await done;

    expect(abortCause(ctx)).toBe('shutdown');
    expect(events.outcomes()).toEqual(['released']);
    expect(await live.runs(id)).toEqual([
      expect.objectContaining({
        id: job.runId,
        state: 'queued',
        attempt: 1,
        try: 1,
        runnerId: null,
        leaseExpiresAt: null,
        startedAt: null,
        endedAt: null,
        progress: 0,
        progressMessage: 'released by runner',
        failureCategory: null,
        failureMessage: null,
      }),
    ]);
    expect((await live.submission(id)).state).toBe('queued');
    expect(await live.logs(job.runId)).toContainEqual({
      level: 'warn',
      message: 'runner test-box is shutting down; the job goes back to the queue',
    });
    expect(await live.results(id)).toEqual([]);

    const next = await live.runner(probeEvaluator(), { once: 1 });
    await next.runner.start();
    const again = await startedJob(next.events);
    expect([again.runId, again.attempt]).toEqual([job.runId, 1]);
    expect((await live.runs(id)).map((r) => [r.attempt, r.state])).toEqual([[1, 'finished']]);
    expect(await live.results(id)).toHaveLength(1);
  });

  it('a job claimed just as the runner stops goes straight back, never started', async () => {
    const id = await live.submit();
    const { runner, events } = await live.runner(probeEvaluator());
    const claim = runner.client.claim.bind(runner.client);
    // the stop lands between the platform handing out the job and the runner starting it
    vi.spyOn(runner.client, 'claim').mockImplementation(async (req, stopSignal) => {
      const job = await claim(req, stopSignal);
      if (job) void runner.stop();
      return job;
    });
    await runner.start();
    expect(events.all.filter((e) => e.type === 'job-started')).toEqual([]);
    expect((await live.runs(id)).map((r) => [r.attempt, r.state, r.runnerId, r.progressMessage])).toEqual([
      [1, 'queued', null, 'released by runner'],
    ]);
  });
});

describe('a lost lease', () => {
  it('a heartbeat refused after the lease ran out aborts the evaluator; nothing is uploaded, failed or released', {
    timeout: 30_000,
  }, async () => {
    const id = await live.submit();
    const running = signal<RunContext>();
    const probe = probeEvaluator({
      during: (ctx) => {
        running.resolve(ctx);
        return untilAborted(ctx);
      },
    });
    const { runner, events } = await live.runner(probe, { once: 1, heartbeatMs: 20 });
    const calls = {
      complete: vi.spyOn(runner.client, 'complete'),
      fail: vi.spyOn(runner.client, 'fail'),
      release: vi.spyOn(runner.client, 'release'),
    };
    const done = runner.start();
    const ctx = await running.promise;
    const job = await startedJob(events);
    await live.expireLease(job.runId);
    await done;

    expect(abortCause(ctx)).toBe('lease-lost');
    expect(events.outcomes()).toEqual(['lease-lost']);
    expect(calls.complete).not.toHaveBeenCalled();
    expect(calls.fail).not.toHaveBeenCalled();
    expect(calls.release).not.toHaveBeenCalled();
    // the platform ends the attempt when it next sweeps, and queues the next one
    expect(await live.run(job.runId)).toMatchObject({ state: 'running', runnerId: runner.runnerId });
    expect(await sweepExpiredLeases(live.p)).toBe(1);
    expect((await live.runs(id)).map((r) => [r.attempt, r.state])).toEqual([
      [1, 'expired'],
      [2, 'queued'],
    ]);
    expect(await live.results(id)).toEqual([]);
  });

  it('an upload after the lease ran out is refused, stores nothing, and ends the job as lease-lost', async () => {
    const id = await live.submit();
    let job: Job | undefined;
    const probe = probeEvaluator({
      silent: true,
      during: async () => {
        const runId = job?.runId ?? '';
        // the kit's first log line is on the platform: the report is the next thing it sends
        await waitFor('the first log line', async () => (await live.logs(runId)).length === 1);
        await live.expireLease(runId);
      },
    });
    const { runner, events } = await live.runner(probe, { once: 1, heartbeatMs: HOUR, logFlushMs: 1 });
    void events.started().then((e) => {
      job = e.job;
    });
    const complete = vi.spyOn(runner.client, 'complete');
    await runner.start();
    const runId = job?.runId ?? '';
    expect(await events.finished(runId)).toEqual({
      type: 'job-finished',
      runId,
      outcome: 'lease-lost',
      message: 'server refused complete (409): lease lost: the lease expired; stop work on this job',
    });
    expect(complete).toHaveBeenCalledTimes(1);
    expect(await live.results(id)).toEqual([]);
    expect(await live.run(runId)).toMatchObject({ state: 'running', progressMessage: 'claimed' });
  });
});

describe('a runner stopped during a claim long-poll', () => {
  it('returns at once, and a job submitted afterwards is left for the next runner', { timeout: 30_000 }, async () => {
    // a minute-long poll: a stop that did not end it would hold the test past its timeout
    const { runner, events } = await live.runner(probeEvaluator(), { waitSeconds: 60 });
    const polling = signal<{ pending: Promise<unknown> }>();
    const claim = runner.client.claim.bind(runner.client);
    vi.spyOn(runner.client, 'claim').mockImplementation(async (req, stopSignal) => {
      // a runner the platform has not seen for ages: the platform marks it seen once the poll is in
      await live.p.db
        .update(runners)
        .set({ lastSeenAt: new Date(0) })
        .where(eq(runners.id, req.runnerId));
      const pending = claim(req, stopSignal);
      polling.resolve({ pending });
      return pending;
    });
    const done = runner.start();
    const { pending } = await polling.promise;
    const runnerId = runner.runnerId ?? '';
    await waitFor('the poll to reach the platform', async () => (await live.runnerRow(runnerId)).lastSeenAt > EPOCH);
    await runner.stop();
    await done;
    await expect(pending).rejects.toThrow('runner stopping');
    expect(events.all.at(-1)).toEqual({ type: 'stopped' });

    const id = await live.submit();
    // the platform noticed the hang-up (the runner is retired) and handed the poll nothing
    await waitFor('the platform to retire the runner', async () => (await live.runnerRow(runnerId)).stoppedAt);
    expect((await live.runs(id)).map((r) => [r.state, r.runnerId])).toEqual([['queued', null]]);
  });
});
