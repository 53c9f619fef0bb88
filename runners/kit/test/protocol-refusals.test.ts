import { describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError } from '../src/index';
import { startedJob } from './live-platform';
import { probeEvaluator } from './probe-evaluator';
import { aReport, blockFirstJob, HOUR, live, useLivePlatform } from './protocol-setup';

/*
 * The runner protocol between the kit and the real platform when the platform says no: a report it
 * refuses, and every action of a runner that does not hold the run.
 */

useLivePlatform();

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
