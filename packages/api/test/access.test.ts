import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { type Actor, createApiToken, createRunnerToken, signIn } from '@trueboard/core';
import { makeUser, serveTestPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCallerFactory } from '../src/index';
import { CASES } from './access-cases';
import { MATRIX } from './access-matrix';
import { buildWorld, ROLES, type World } from './access-world';

let w: World;
beforeAll(async () => {
  w = await buildWorld();
});
afterAll(() => w.p.close());

const procedures = () => Object.keys(appRouter._def.procedures).sort();
const procedureOf = (caseName: string) => caseName.split(' ')[0] ?? caseName;
/** a row with single spaces between its cells, so the table's alignment is free */
const cells = (row: string) => row.trim().split(/\s+/).join(' ');

type Call = (input: unknown) => Promise<unknown>;
const createCaller = createCallerFactory(appRouter);

function procedureFor(actor: Actor, name: string): Call {
  const caller = createCaller({
    platform: w.p,
    actor,
    requestId: 'matrix',
    viaCookie: false,
    req: new Request('http://localhost/api/trpc'),
    resHeaders: new Headers(),
  }) as unknown as Record<string, Record<string, Call>>;
  const [ns = '', proc = ''] = name.split('.');
  const fn = caller[ns]?.[proc];
  if (!fn) throw new Error(`no caller for ${name}`);
  return fn;
}

/**
 * The cell for one call: `ok`, or the HTTP status of the error the client would see. A crash is
 * reported with its cause: tRPC turns any thrown Error into a 500, which must never look like
 * "allowed".
 */
async function outcome(call: () => Promise<unknown>, crashed: (why: string) => void): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    if (!(err instanceof TRPCError)) {
      crashed(`threw ${String(err)}`);
      return 'thrown';
    }
    const status = getHTTPStatusCodeFromError(err);
    if (status >= 500) crashed(`${err.code}: ${String(err.cause ?? err.message)}`);
    return String(status);
  }
}

describe('authorization matrix', () => {
  it("has cases and a matrix row for exactly the router's procedures", () => {
    // a new procedure fails here until it has cases and rows
    expect([...new Set(Object.keys(CASES).map(procedureOf))].sort()).toEqual(procedures());
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(CASES).sort());
    for (const [name, row] of Object.entries(MATRIX))
      expect([name, cells(row).split(' ').length]).toEqual([name, ROLES.length]);
  });

  it('answers every call of every role as the matrix says, and never with a crash', async () => {
    const actual: Record<string, string> = {};
    const crashes: string[] = [];
    for (const name of Object.keys(MATRIX)) {
      const input = CASES[name];
      if (!input) throw new Error(`no case ${name}`);
      const row: string[] = [];
      for (const role of ROLES) {
        const actor = w.actors[role];
        const fn = procedureFor(actor, procedureOf(name));
        const given = await input(w, role, actor);
        row.push(
          await outcome(
            () => fn(given),
            (why) => crashes.push(`${name} as ${role}: ${why}`),
          ),
        );
      }
      actual[name] = row.join(' ');
    }
    expect(crashes).toEqual([]);
    expect(actual).toEqual(Object.fromEntries(Object.entries(MATRIX).map(([k, v]) => [k, cells(v)])));
  });
});

describe('REST routes', () => {
  it('keeps runner endpoints, blobs and uploads to their token kinds', async () => {
    const srv = await serveTestPlatform(w.p);
    try {
      const call = (path: string, token: string | null, init: RequestInit = {}) =>
        fetch(`${srv.baseUrl}${path}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });
      // a fresh user: the matrix made earlier users admins of teams they created
      const plain = await makeUser(w.p, { name: 'plain' });
      const user = await createApiToken(w.p, plain.actor, { name: 'rest' });
      const runnerSecret = (await createRunnerToken(w.p, w.actors.platformAdmin, { name: 'r' })).secret;
      const claimBody = JSON.stringify({
        runnerId: '00000000-0000-4000-8000-000000000000',
        families: ['text2sql'],
        waitSeconds: 0,
      });
      expect((await call('/api/runner/claim', null, { method: 'POST', body: claimBody })).status).toBe(401);
      expect((await call('/api/runner/claim', user.secret, { method: 'POST', body: claimBody })).status).toBe(401);
      expect((await call('/api/runner/claim', 'tbr_wrong', { method: 'POST', body: claimBody })).status).toBe(401);
      const unknownRunner = await call('/api/runner/claim', runnerSecret, { method: 'POST', body: claimBody });
      expect(unknownRunner.status).toBe(401);
      expect(((await unknownRunner.json()) as { error: { message: string } }).error.message).toMatch(
        /unknown runner id/,
      );
      const sha = 'a'.repeat(64);
      expect((await call(`/api/blobs/${sha}`, null)).status).toBe(401);
      expect((await call(`/api/blobs/${sha}`, user.secret)).status).toBe(403);
      expect((await call(`/api/blobs/${sha}`, runnerSecret)).status).toBe(404);
      expect((await call('/api/blobs', user.secret, { method: 'POST', body: 'x' })).status).toBe(403);
      const anonUpload = await call('/api/submissions?benchmark=toy-qa', null, { method: 'POST', body: 'x' });
      expect(anonUpload.status).toBe(401);
      expect(
        (await call('/api/submissions?benchmark=toy-qa', runnerSecret, { method: 'POST', body: 'x' })).status,
      ).toBe(401);
    } finally {
      await srv.close();
    }
  });

  it('refuses cookie-authenticated mutations from another site', async () => {
    const srv = await serveTestPlatform(w.p);
    try {
      const email = (await makeUser(w.p, { name: 'csrf' })).email;
      const s = await signIn(w.p, { email, password: 'correct horse battery' });
      const res = await fetch(`${srv.baseUrl}/api/trpc/tokens.create`, {
        method: 'POST',
        headers: {
          cookie: `tb_session=${s.token}`,
          origin: 'https://evil.example',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'stolen' }),
      });
      expect(res.status).toBe(403);
      const ok = await fetch(`${srv.baseUrl}/api/trpc/tokens.create`, {
        method: 'POST',
        headers: { cookie: `tb_session=${s.token}`, origin: srv.baseUrl, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'mine' }),
      });
      expect(ok.status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});
