import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, DATABASE_UNAVAILABLE, loadConfig, type Platform } from '@trueboard/core';
import { type EmbeddedServer, startEmbeddedPostgres, withDatabase } from '@trueboard/db/embedded';
import { migrate } from '@trueboard/db/migrate';
import { goodPredictions, serveTestPlatform, toyScenario } from '@trueboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * What callers see while PostgreSQL is down and after it is back (issue 10 §4), on a real server
 * of this file's own (the shared test server must not go down). Before the fix every one of these
 * answered 500 "internal error".
 */

let pg: EmbeddedServer;
let dataDir: string;
let p: Platform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let cast: Awaited<ReturnType<typeof toyScenario>>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tb-outage-'));
  pg = await startEmbeddedPostgres({ dataDir });
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('CREATE DATABASE trueboard');
  await admin.end();
  const url = withDatabase(pg.url, 'trueboard');
  await migrate(url);
  p = await createPlatform({ ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), databaseUrl: url }, { poolSize: 4 });
  cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
});

afterAll(async () => {
  await srv?.close();
  await p?.close();
  await pg?.stop();
});

const auth = () => ({ authorization: `Bearer ${cast.ownerToken.secret}` });
const upload = (key: string, body = goodPredictions()) =>
  fetch(`${srv.baseUrl}/api/submissions?benchmark=toy-qa&method=${cast.method.id}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/octet-stream', 'idempotency-key': key },
    body,
  });

async function expectUnavailable(res: Response, message: (body: unknown) => unknown) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('2');
  // a fresh id: these requests send none of their own
  expect(res.headers.get('x-request-id')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  expect(message(await res.json())).toBe(DATABASE_UNAVAILABLE);
}

describe('a database outage', () => {
  it('answers 503 with Retry-After and says the database is unavailable, then heals', {
    timeout: 120_000,
  }, async () => {
    const first = await upload('outage-1');
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };

    await pg.stop();

    const health = await fetch(`${srv.baseUrl}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', db: false });
    type Rest = { error: { message: string; code: string } };
    type Trpc = { error: { message: string; data: { code: string; httpStatus: number } } };
    // REST: the upload, the runner protocol
    await expectUnavailable(await upload('outage-2'), (b) => (b as Rest).error.message);
    const claim = await fetch(`${srv.baseUrl}/api/runner/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cast.runnerToken.secret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await expectUnavailable(claim, (b) => (b as Rest).error.message);
    // tRPC: a token to resolve before the procedure runs, and a public query inside one
    await expectUnavailable(
      await fetch(`${srv.baseUrl}/api/trpc/auth.me`, { headers: auth() }),
      (b) => (b as Trpc).error.message,
    );
    const list = await fetch(`${srv.baseUrl}/api/trpc/benchmarks.list`);
    const body = (await list.clone().json()) as Trpc;
    expect(body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    await expectUnavailable(list, (b) => (b as Trpc).error.message);

    // back on the same port: the pools reconnect on their own
    pg = await startEmbeddedPostgres({ dataDir, port: pg.port });
    const healed = await fetch(`${srv.baseUrl}/api/health`);
    expect(healed.status).toBe(200);
    expect(await healed.json()).toMatchObject({ status: 'ok', db: true, queue: true });
    const me = await fetch(`${srv.baseUrl}/api/trpc/auth.me`, { headers: auth() });
    expect(me.status).toBe(200);
    // the upload that got a 503 is retried with its key: made once; the one that succeeded is repeated: 200
    const retried = await upload('outage-2');
    expect(retried.status).toBe(201);
    const again = await upload('outage-1');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string; repeated: boolean }).id).toBe(id);
    const [n] = await p.sql<
      { n: number }[]
    >`select count(*)::int as n from submissions where client_request_id like 'outage-%'`;
    expect(n?.n).toBe(2);
  });
});
