import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegisterRunnerRequest } from '@trueboard/contracts';
import { runners } from '@trueboard/db';
import { waitFor } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlatformClient, PlatformError } from '../src/index';
import { type Live, livePlatform } from './live-platform';

/* PlatformClient against the real platform: refusals, retries, response checks, long-polls. */

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
let live: Live;
beforeAll(async () => {
  live = await livePlatform();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await live.reset();
});
afterAll(() => live?.close());

const registration: RegisterRunnerRequest = {
  hostname: 'box',
  device: 'cpu',
  families: ['text2sql'],
  version: '0.1.0',
};

/** Counts the HTTP requests the client makes (every one goes through fetch). */
const countRequests = () => vi.spyOn(globalThis, 'fetch');

/** A runner registered over HTTP whose claim the platform has provably started serving. */
async function pollingRunner(client: PlatformClient) {
  const { runnerId } = await client.register(registration);
  // a runner the platform has not seen for ages: a claim it serves marks it seen at once
  await live.p.db
    .update(runners)
    .set({ lastSeenAt: new Date(0) })
    .where(eq(runners.id, runnerId));
  const inPoll = () =>
    waitFor('the claim to reach the platform', async () => {
      const [row] = await live.p.db.select().from(runners).where(eq(runners.id, runnerId));
      return row && row.lastSeenAt.getTime() > 0;
    });
  return { runnerId, inPoll };
}

describe('PlatformClient', () => {
  it('surfaces the server message of a refusal and does not retry 4xx', async () => {
    const requests = countRequests();
    const client = new PlatformClient(live.url, 'tbr_wrong', fast);
    const err = await client.register(registration).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({
      message:
        'server refused register (401): no valid runner token: the one sent is unknown, revoked or expired, or none was sent (an admin creates one with `trueboard token create --runner`)',
      status: 401,
      code: 'unauthorized',
      transient: false,
      operation: 'register',
    });
    expect(requests).toHaveBeenCalledTimes(1);
  });

  it('retries while the server restarts, and then succeeds', async () => {
    await live.server.down();
    const realFetch = globalThis.fetch;
    // the server is back by the time the client has seen its first refused connection
    const requests = vi.spyOn(globalThis, 'fetch').mockImplementation(async (...args) => {
      try {
        return await realFetch(...args);
      } catch (e) {
        await live.server.up();
        throw e;
      }
    });
    const client = new PlatformClient(live.url, live.runnerToken, fast);
    const { runnerId } = await client.register(registration);
    expect(runnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests).toHaveBeenCalledTimes(2);
  });

  it('gives up after the bounded number of retries with a transient error naming the address', async () => {
    await live.server.down();
    const requests = countRequests();
    const client = new PlatformClient(`${live.url}/`, live.runnerToken, { ...fast, retries: 2 });
    const err = await client.register(registration).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({
      message: `cannot reach ${live.url} for register: ECONNREFUSED`,
      status: undefined,
      transient: true,
    });
    expect(requests).toHaveBeenCalledTimes(3);
  });

  it('checks responses against the protocol: an address that is not a Trueboard server is named as such', async () => {
    // another JSON service at the configured address (a wrong port, a proxy's status page)
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = other.address() as AddressInfo;
      const client = new PlatformClient(`http://127.0.0.1:${port}`, live.runnerToken, fast);
      const err = await client.register(registration).catch((e: unknown) => e);
      expect(err).toMatchObject({ transient: false, operation: 'register' });
      expect((err as Error).message).toMatch(/^unexpected register response from server: runnerId: /);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('long-polls a claim until a job arrives', async () => {
    const client = new PlatformClient(live.url, live.runnerToken, fast);
    const { runnerId, inPoll } = await pollingRunner(client);
    const claim = client.claim({ runnerId, families: ['text2sql'], waitSeconds: 30 });
    await inPoll();
    const id = await live.submit();
    const job = await claim;
    expect(job?.submissionId).toBe(id);
    expect(job?.dataset.files.map((f) => f.path)).toEqual(['gold.json']);
    expect(await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 })).toBeNull();
  });

  it('stops a pending long-poll when its signal aborts; the platform then hands that poll nothing', async () => {
    const client = new PlatformClient(live.url, live.runnerToken, fast);
    const { runnerId, inPoll } = await pollingRunner(client);
    const ac = new AbortController();
    const reason = new Error('stopping');
    const claim = client.claim({ runnerId, families: ['text2sql'], waitSeconds: 30 }, ac.signal);
    await inPoll();
    ac.abort(reason);
    await expect(claim).rejects.toBe(reason);
    const id = await live.submit();
    // the platform sees the hang-up: it retires the runner rather than giving it the job
    await waitFor('the platform to retire the runner', async () => {
      const [row] = await live.p.db.select().from(runners).where(eq(runners.id, runnerId));
      return row?.stoppedAt;
    });
    expect((await live.runs(id)).map((r) => [r.state, r.runnerId])).toEqual([['queued', null]]);
  });
});
