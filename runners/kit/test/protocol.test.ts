import type { Job, RunContext } from '@trueboard/contracts';
import { registerRunner, resolveSecret, sweepExpiredLeases } from '@trueboard/core';
import { runners } from '@trueboard/db';
import { testReport, waitFor } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlatformClient, PlatformError, RUNNER_VERSION } from '../src/index';
import { type Live, livePlatform, startedJob } from './live-platform';
import { abortCause, probeEvaluator, signal, untilAborted } from './probe-evaluator';

/*
 * The runner protocol between the kit and the real platform (api REST routes, core, Postgres): what
 * each side does when a job is cancelled, given back, loses its lease, has its report refused, or
 * is touched by a runner that does not hold it, and when a runner stops in a long-poll.
 */

let live: Live;
beforeAll(async () => {
  live = await livePlatform();
});
afterEach(() => live.reset());
afterAll(() => live?.close());

const HOUR = 3_600_000;
const EPOCH = new Date(0);
const CANCELLED = 'the submission was cancelled: the evaluation was stopped and nothing was uploaded';

/** A valid report for a job, as any runner could send it. */
const aReport = (job: Job) =>
  testReport(job, {
    metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 100, ci: null, n: 1 }],
    examples: [{ id: 'q1', verdict: 1, data: {} }],
  });

/** An evaluator whose first job runs until the kit aborts it; later jobs score normally. */
function blockFirstJob() {
  const running = signal<RunContext>();
  const probe = probeEvaluator({
    during: async (ctx) => {
      if (probe.contexts.length > 1) return;
      running.resolve(ctx);
      await untilAborted(ctx);
    },
  });
  return { probe, running: running.promise };
}

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

describe('a report the platform refuses', () => {
  it('fails the run with the reason, and the runner goes on with the next job', async () => {
    const bad = await live.submit();
    const probe = probeEvaluator({
      // the kit's own checks pass it; only the platform sees the repeated example
      mutate: (r) => (probe.contexts.length === 1 ? { ...r, examples: [...r.examples, r.examples[0]] } : r),
    });
    const { runner, events } = await live.runner(probe, { once: 2 });
    const done = runner.start();
    const first = await startedJob(events);
    const reason =
      'the server refused the report: server refused complete (400): bad input: report: example id "q1" appears twice';
    expect(await events.finished(first.runId)).toEqual({
      type: 'job-finished',
      runId: first.runId,
      outcome: 'failed',
      message: reason,
    });
    const good = await live.submit();
    await done;

    expect(await live.run(first.runId)).toMatchObject({
      state: 'failed',
      failureCategory: 'infra',
      failureMessage: reason,
    });
    expect(await live.submission(bad)).toMatchObject({
      state: 'failed',
      failureCategory: 'infra',
      failureMessage: reason,
      countsTowardQuota: false,
    });
    expect(await live.results(bad)).toEqual([]);
    expect(events.outcomes()).toEqual(['failed', 'completed']);
    expect(await live.results(good)).toHaveLength(1);
  });
});

describe("another runner's token", () => {
  it('gets 404 for every action on a run it does not hold, exactly as for a run that does not exist', async () => {
    const id = await live.submit();
    const { probe, running } = blockFirstJob();
    const { runner, events } = await live.runner(probe, { heartbeatMs: HOUR, logFlushMs: HOUR });
    void runner.start();
    await running;
    const job = await startedJob(events);
    const before = await live.run(job.runId);

    const other = new PlatformClient(live.url, live.otherRunnerToken, { retries: 0 });
    const actions = (runId: string) =>
      ({
        heartbeat: () => other.heartbeat(runId),
        progress: () => other.progress(runId, { fraction: 0.9, message: 'not mine' }),
        logs: () => other.logs(runId, [{ level: 'info', message: 'not mine' }]),
        complete: () => other.complete(runId, aReport(job)),
        fail: () => other.fail(runId, { category: 'infra', message: 'not mine' }),
        release: () => other.release(runId),
        previous: () => other.previous(runId),
      }) as const;
    const refusals = async (runId: string) => {
      const out: Record<string, unknown> = {};
      for (const [name, call] of Object.entries(actions(runId))) {
        const e = await call().then(
          () => 'accepted',
          (err: unknown) => err,
        );
        out[name] = e instanceof PlatformError ? [e.status, e.code, e.message] : e;
      }
      return out;
    };
    const expected = (runId: string) =>
      Object.fromEntries(
        Object.keys(actions(runId)).map((op) => [
          op,
          [404, 'not_found', `server refused ${op} (404): run ${runId} not found`],
        ]),
      );
    expect(await refusals(job.runId)).toEqual(expected(job.runId));
    const nobodys = '00000000-0000-4000-8000-000000000000';
    expect(await refusals(nobodys)).toEqual(expected(nobodys));
    await expect(other.blob(job.artifact.sha256)).rejects.toThrow(
      `server refused blob (404): blob ${job.artifact.sha256} not found among the files of the runs and correction checks this runner holds a lease on`,
    );

    // nothing changed: the holder's lease, state and progress, its logs, its result
    expect(await live.run(job.runId)).toEqual(before);
    expect(await live.logs(job.runId)).toEqual([]);
    expect(await live.results(id)).toEqual([]);
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
