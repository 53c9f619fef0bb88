import type { RegisterRunnerRequest } from '@trueboard/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError } from '../src/index';
import { FakePlatform, freePort } from './fake-platform';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
let platform: FakePlatform;

beforeEach(async () => {
  platform = new FakePlatform();
  await platform.listen();
});
afterEach(() => platform.close());

const registration: RegisterRunnerRequest = {
  hostname: 'box',
  device: 'cpu',
  families: ['text2sql'],
  version: '0.1.0',
};

describe('PlatformClient', () => {
  it('surfaces the server message of a refusal and does not retry 4xx', async () => {
    const client = new PlatformClient(platform.url, 'wrong-token', fast);
    const err = await client.register(registration).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).message).toBe('server refused register (401): invalid runner token');
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', transient: false, operation: 'register' });
    expect(platform.count('POST /api/runner/register')).toBe(1);
  });

  it('retries 5xx with backoff and then succeeds', async () => {
    platform.failNext.set('POST /api/runner/register', 2);
    const client = new PlatformClient(platform.url, platform.token, fast);
    const { runnerId } = await client.register(registration);
    expect(runnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(platform.count('POST /api/runner/register')).toBe(3);
  });

  it('gives up after the bounded number of retries with a transient error', async () => {
    platform.failNext.set('POST /api/runner/register', 10);
    const client = new PlatformClient(platform.url, platform.token, { ...fast, retries: 2 });
    const err = await client.register(registration).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, transient: true });
    expect((err as Error).message).toBe('server error on register (503): try again later');
    expect(platform.count('POST /api/runner/register')).toBe(3);
  });

  it('reports an unreachable server as transient, naming the address', async () => {
    const port = await freePort();
    const client = new PlatformClient(`http://127.0.0.1:${port}/`, platform.token, { ...fast, retries: 1 });
    const err = await client.register(registration).catch((e: unknown) => e);
    expect(err).toMatchObject({ transient: true, status: undefined });
    expect((err as Error).message).toBe(`cannot reach http://127.0.0.1:${port} for register: ECONNREFUSED`);
  });

  it('validates the claim response against the Job schema', async () => {
    const client = new PlatformClient(platform.url, platform.token, fast);
    const { runnerId } = await client.register(registration);
    platform.claimOverride = { job: { runId: 'not-a-uuid' } };
    const err = await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ transient: false, operation: 'claim' });
    expect((err as Error).message).toMatch(/^unexpected claim response from server: job\.runId: /);
  });

  it('long-polls a claim until a job arrives', async () => {
    const client = new PlatformClient(platform.url, platform.token, fast);
    const { runnerId } = await client.register(registration);
    const claim = client.claim({ runnerId, families: ['text2sql'], waitSeconds: 5 });
    setTimeout(() => platform.enqueue({ 'a.txt': 'a' }, 'x'), 50);
    const job = await claim;
    expect(job?.dataset.files.map((f) => f.path)).toEqual(['a.txt']);
    expect(await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 })).toBeNull();
  });

  it('stops a pending long-poll when its signal aborts', async () => {
    const client = new PlatformClient(platform.url, platform.token, fast);
    const { runnerId } = await client.register(registration);
    const ac = new AbortController();
    const claim = client.claim({ runnerId, families: ['text2sql'], waitSeconds: 30 }, ac.signal);
    setTimeout(() => ac.abort(new Error('stopping')), 50);
    await expect(claim).rejects.toThrow('stopping');
  });
});
