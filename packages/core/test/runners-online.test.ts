import { runners } from '@trueboard/db';
import { type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, countOnlineRunners, health, localRunnerToken, registerRunner, resolveSecret } from '../src/index';

/*
 * Health counts the runners that are really connected (issue 10 §4: after two restarts of
 * `trueboard start` it reported 3 runners with 1 running). Before the fix every runner registered
 * in the last 90 s counted, whatever had happened to its process or its token.
 */

let p: TestPlatform;

beforeAll(async () => {
  p = await testPlatform();
  await toyScenario(p);
});
afterAll(() => p.close());

async function register(secret: string) {
  const actor = await resolveSecret(p, secret);
  const { runnerId } = await registerRunner(p, actor, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  return { actor, runnerId };
}

describe('connected runners', () => {
  it('counts only the runners of the latest `trueboard start`, whose earlier runners are gone', async () => {
    // three starts in a row, each launching one local runner with a fresh token
    for (let i = 0; i < 3; i++) await register(await localRunnerToken(p));
    expect(await countOnlineRunners(p)).toBe(1);
    expect((await health(p)).runners).toBe(1);
    await p.db.update(runners).set({ stoppedAt: new Date() });
  });

  it('retires a runner that hangs up while it waits for a job, until it calls again', async () => {
    const { actor, runnerId } = await register(await localRunnerToken(p));
    expect(await countOnlineRunners(p)).toBe(1);
    // its process dies mid long-poll: the server sees the connection close
    const hangUp = new AbortController();
    const waiting = claim(p, actor, { runnerId, families: ['text2sql'], waitSeconds: 30 }, hangUp.signal);
    await new Promise((r) => setTimeout(r, 300));
    hangUp.abort();
    expect(await waiting).toBeNull();
    expect(await countOnlineRunners(p)).toBe(0);
    // a runner that was only cut off for a moment comes back with its next call
    expect(await claim(p, actor, { runnerId, families: ['text2sql'], waitSeconds: 0 })).toBeNull();
    expect(await countOnlineRunners(p)).toBe(1);
  });

  it('drops a runner that has not called in within the window (its process was killed mid-job)', async () => {
    const { runnerId } = await register(await localRunnerToken(p));
    expect(await countOnlineRunners(p)).toBe(1);
    // a job's heartbeat comes every lease / 3 (20 s); 35 s of silence means the runner is gone
    await p.db.update(runners).set({ lastSeenAt: sql`now() - interval '36 seconds'` }).where(eq(runners.id, runnerId));
    expect(await countOnlineRunners(p)).toBe(0);
  });
});
