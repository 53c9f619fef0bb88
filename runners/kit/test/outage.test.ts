import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPlatform, DATABASE_UNAVAILABLE, loadConfig } from '@trueboard/core';
import { type EmbeddedServer, startEmbeddedPostgres, withDatabase } from '@trueboard/db/embedded';
import { migrate } from '@trueboard/db/migrate';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CONFIG, type Live, servePlatform, startedJob } from './live-platform';
import { probeEvaluator } from './probe-evaluator';

/*
 * A platform whose database restarts answers 503 for a while, and a platform whose server restarts
 * refuses connections (issue 10 §4). Before the fix a runner gave up on its report after the
 * client's few quick retries, and a job whose inputs could not be fetched meanwhile was failed as
 * `infra` although nothing was wrong with it. This file runs its own PostgreSQL, so it can stop it.
 */

let pg: EmbeddedServer;
let dataDir: string;
let live: Live;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kit-outage-'));
  pg = await startEmbeddedPostgres({ dataDir });
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('CREATE DATABASE trueboard');
  await admin.end();
  const url = withDatabase(pg.url, 'trueboard');
  await migrate(url);
  const config = { ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), ...LIVE_CONFIG, databaseUrl: url };
  live = await servePlatform(await createPlatform(config, { poolSize: 4 }));
});
afterEach(() => live.reset());
afterAll(async () => {
  await live?.close();
  await pg?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a runner during a platform outage', () => {
  it('keeps sending its report while the database is down, until the platform takes it, once', {
    timeout: 120_000,
  }, async () => {
    const id = await live.submit();
    // the database goes down while the evaluator works, and comes back once the runner has been
    // told 503 for its report
    const probe = probeEvaluator({ during: () => pg.stop() });
    const { runner, events } = await live.runner(probe, { once: 1 });
    const refused = events.warning(/^server error on complete/);
    const restarted = refused.then(async () => {
      pg = await startEmbeddedPostgres({ dataDir, port: pg.port });
    });
    await runner.start();
    await restarted;

    const job = await startedJob(events);
    expect(events.outcomes()).toEqual(['completed']);
    expect(await live.results(id)).toHaveLength(1);
    expect(await live.run(job.runId)).toMatchObject({ state: 'finished', attempt: 1 });
    const escaped = DATABASE_UNAVAILABLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect((await refused).message).toMatch(
      new RegExp(`^server error on complete \\(503\\): ${escaped}; retrying in \\d+\\.\\ds$`),
    );
  });

  it('gives a job back to the queue, not a failure, when its server restarts before the inputs are fetched', async () => {
    const id = await live.submit();
    const { runner, events } = await live.runner(probeEvaluator(), { once: 1 });
    // the server goes away the moment the job starts, before the runner asks for the dataset
    void events.started().then(() => live.server.down());
    // and is back once the runner is retrying to hand the job back
    void events.warning(/for release: ECONNREFUSED; retrying in/).then(() => live.server.up());
    await runner.start();

    const job = await startedJob(events);
    expect(events.outcomes()).toEqual(['released']);
    expect(events.all).toContainEqual({
      type: 'log',
      runId: job.runId,
      level: 'warn',
      message: expect.stringMatching(
        /^the platform was unavailable \(cannot reach http:\/\/127\.0\.0\.1:\d+ for blob: ECONNREFUSED\); the job goes back to the queue$/,
      ),
    });
    expect((await live.runs(id)).map((r) => [r.id, r.attempt, r.state, r.progressMessage, r.failureCategory])).toEqual([
      [job.runId, 1, 'queued', 'released by runner', null],
    ]);
    expect((await live.submission(id)).state).toBe('queued');
  });
});
