import { TRPCError } from '@trpc/server';
import { type Actor, createApiToken, createRunnerToken, resolveSecret, signIn, submit } from '@trueboard/core';
import {
  goodPredictions,
  makeUser,
  serveTestPlatform,
  type TestPlatform,
  testPlatform,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, appRouter, createCallerFactory } from '../src/index';

/**
 * Who may call what. Written by hand, independently of the procedures' own meta: a new
 * procedure fails this test until it is classified here.
 */
const EXPECTED: Record<string, Access> = {
  'auth.me': 'public',
  'auth.signUp': 'public',
  'auth.signIn': 'public',
  'auth.signOut': 'user',
  'tokens.list': 'user',
  'tokens.create': 'user',
  'tokens.revoke': 'user',
  'runnerTokens.list': 'admin',
  'runnerTokens.create': 'admin',
  'runnerTokens.revoke': 'admin',
  'teams.mine': 'user',
  'teams.create': 'user',
  'teams.members': 'team:member',
  'teams.setMember': 'team:admin',
  'teams.removeMember': 'team:admin',
  'benchmarks.list': 'public',
  'benchmarks.get': 'public',
  'benchmarks.versions': 'public',
  'benchmarks.register': 'user',
  'benchmarks.summaries': 'public',
  'benchmarks.leaderboard': 'public',
  'methods.create': 'team:member',
  'methods.list': 'public',
  'submissions.get': 'public',
  'submissions.list': 'public',
  'submissions.cancel': 'user',
  'submissions.rerun': 'user',
  'submissions.logs': 'public',
  'submissions.result': 'public',
  'submissions.examples': 'public',
  'submissions.reproduction': 'public',
  'system.health': 'public',
  'system.runners': 'public',
  'system.queue': 'public',
  'corrections.list': 'public',
  'corrections.get': 'public',
  'corrections.example': 'public',
  'corrections.propose': 'user',
  'corrections.review': 'user',
  'corrections.withdraw': 'user',
  'corrections.release': 'user',
  'corrections.version': 'public',
  'corrections.diff': 'public',
  'corrections.impact': 'public',
  'corrections.triage': 'public',
  'corrections.importUpstream': 'user',
};

type RoleName =
  | 'anonymous'
  | 'runner'
  | 'outsider'
  | 'member'
  | 'reviewer'
  | 'maintainer'
  | 'teamAdmin'
  | 'platformAdmin';
const ROLES: RoleName[] = [
  'anonymous',
  'runner',
  'outsider',
  'member',
  'reviewer',
  'maintainer',
  'teamAdmin',
  'platformAdmin',
];

function allowed(access: Access, role: RoleName): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'user':
      return role !== 'anonymous' && role !== 'runner';
    case 'admin':
      return role === 'platformAdmin';
    case 'team:member':
      return ['member', 'reviewer', 'maintainer', 'teamAdmin', 'platformAdmin'].includes(role);
    case 'team:reviewer':
      return ['reviewer', 'maintainer', 'teamAdmin', 'platformAdmin'].includes(role);
    case 'team:maintainer':
      return ['maintainer', 'teamAdmin', 'platformAdmin'].includes(role);
    case 'team:admin':
      return ['teamAdmin', 'platformAdmin'].includes(role);
  }
}

let p: TestPlatform;
let actors: Record<RoleName, Actor>;
let inputs: Record<string, () => unknown>;
let publicSub: { id: string; artifact: { sha256: string } };
let cast: Awaited<ReturnType<typeof toyScenario>>;

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  const outsider = await makeUser(p, { name: 'outsider' });
  const bystander = await makeUser(p, { name: 'bystander' });
  const sub = await submit(
    p,
    cast.acme.owner.actor,
    { benchmark: 'toy-qa', method: cast.method.id },
    goodPredictions(),
  );
  publicSub = sub;
  const must = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('missing fixture');
    return v;
  };
  actors = {
    anonymous: { kind: 'anonymous' },
    runner: await resolveSecret(p, cast.runnerToken.secret),
    outsider: outsider.actor,
    member: must(cast.acme.members.member).actor,
    reviewer: must(cast.acme.members.reviewer).actor,
    maintainer: must(cast.acme.members.maintainer).actor,
    teamAdmin: cast.acme.owner.actor,
    platformAdmin: cast.admin.actor,
  };
  let n = 0;
  const uuid = '00000000-0000-4000-8000-000000000000';
  inputs = {
    'auth.signUp': () => ({ email: `matrix${++n}@example.org`, name: 'M', password: 'long enough password' }),
    'auth.signIn': () => ({ email: outsider.email, password: outsider.password }),
    'tokens.create': () => ({ name: 'matrix' }),
    'tokens.revoke': () => ({ id: uuid }),
    'runnerTokens.create': () => ({ name: 'matrix' }),
    'runnerTokens.revoke': () => ({ id: uuid }),
    'teams.create': () => ({ slug: `matrix-${++n}`, name: 'Matrix' }),
    'teams.members': () => ({ team: 'acme' }),
    'teams.setMember': () => ({ team: 'acme', email: bystander.email, role: 'member' }),
    'teams.removeMember': () => ({ team: 'acme', email: 'nobody@example.org' }),
    'benchmarks.get': () => ({ id: 'toy-qa' }),
    'benchmarks.versions': () => ({ id: 'toy-qa' }),
    'benchmarks.register': () => ({ manifest: {}, files: [] }),
    'benchmarks.leaderboard': () => ({ benchmark: 'toy-qa' }),
    'corrections.list': () => ({ benchmark: 'toy-qa' }),
    'corrections.get': () => ({ id: uuid }),
    'corrections.example': () => ({ benchmark: 'toy-qa', exampleId: 'q1' }),
    'corrections.propose': () => ({
      benchmark: 'toy-qa',
      exampleId: 'q1',
      fields: { x: 'y' },
      category: 'other',
      rationale: 'r',
    }),
    'corrections.review': () => ({ id: uuid, decision: 'approve' }),
    'corrections.withdraw': () => ({ id: uuid }),
    // an unknown benchmark: past authorization, core answers not found before its own role check
    'corrections.release': () => ({ benchmark: 'no-such-benchmark' }),
    'corrections.version': () => ({ benchmark: 'toy-qa', version: 1 }),
    'corrections.diff': () => ({ benchmark: 'toy-qa', version: 1 }),
    'corrections.impact': () => ({ benchmark: 'toy-qa', from: 1, to: 1 }),
    'corrections.triage': () => ({ benchmark: 'toy-qa', version: 1 }),
    'corrections.importUpstream': () => ({ benchmark: 'toy-qa', files: {}, source: 's' }),
    'methods.create': () => ({ team: 'acme', name: `matrix method ${++n}` }),
    'methods.list': () => ({ team: 'acme' }),
    'submissions.get': () => ({ id: sub.id }),
    'submissions.list': () => ({ benchmark: 'toy-qa' }),
    'submissions.cancel': () => ({ id: uuid }),
    'submissions.rerun': () => ({ id: uuid }),
    'submissions.logs': () => ({ runId: sub.runId, submissionId: sub.id }),
    'submissions.result': () => ({ id: sub.id }),
    'submissions.examples': () => ({ id: sub.id }),
    // no result yet: past authorization, core answers a conflict
    'submissions.reproduction': () => ({ id: sub.id }),
  };
});
afterAll(() => p.close());

const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { meta?: { access?: Access }; type: string } }
>;

describe('authorization matrix', () => {
  it('classifies every procedure, and each declares the access this table expects', () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [name, proc] of Object.entries(procedures))
      expect([name, proc._def.meta?.access]).toEqual([name, EXPECTED[name]]);
  });

  it('lets exactly the expected roles past authorization for every procedure', async () => {
    const createCaller = createCallerFactory(appRouter);
    const outcomes: string[] = [];
    const wrong: string[] = [];
    for (const name of Object.keys(EXPECTED).sort()) {
      const access = EXPECTED[name] ?? 'admin';
      for (const role of ROLES) {
        const caller = createCaller({
          platform: p,
          actor: actors[role],
          requestId: 'matrix',
          viaCookie: false,
          req: new Request('http://localhost/api/trpc'),
          resHeaders: new Headers(),
        });
        const [ns, proc] = name.split('.') as [string, string];
        const fn = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[ns]?.[proc];
        if (!fn) throw new Error(`no caller for ${name}`);
        let code = 'OK';
        try {
          await fn(inputs[name]?.());
        } catch (err) {
          code = err instanceof TRPCError ? err.code : `THROWN ${String(err)}`;
        }
        const denied = code === 'UNAUTHORIZED' || code === 'FORBIDDEN';
        outcomes.push(`${name} ${role} ${code}`);
        if (denied === allowed(access, role))
          wrong.push(`${name} as ${role}: ${code} (expected ${allowed(access, role) ? 'allowed' : 'denied'})`);
        if (!denied && code.startsWith('THROWN')) wrong.push(`${name} as ${role}: ${code}`);
        if (!allowed(access, role))
          expect(code, `${name} as ${role}`).toBe(
            role === 'anonymous' || role === 'runner' ? 'UNAUTHORIZED' : 'FORBIDDEN',
          );
      }
    }
    expect(wrong).toEqual([]);
    expect(outcomes.length).toBe(Object.keys(EXPECTED).length * ROLES.length);
  });
});

describe('REST routes', () => {
  it('keeps runner endpoints, blobs and uploads to their token kinds', async () => {
    const srv = await serveTestPlatform(p);
    try {
      const call = (path: string, token: string | null, init: RequestInit = {}) =>
        fetch(`${srv.baseUrl}${path}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });
      // a fresh user: the matrix above made earlier users admins of teams they created
      const plain = await makeUser(p, { name: 'plain' });
      const user = await createApiToken(p, plain.actor, { name: 'rest' });
      const runnerSecret = (await createRunnerToken(p, actors.platformAdmin, { name: 'r' })).secret;
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

  it("serves a submission's artifact with the submission's visibility, as an inert download", async () => {
    const srv = await serveTestPlatform(p);
    try {
      const bytes = goodPredictions({ q5: 'Porto' });
      const privateSub = await submit(
        p,
        cast.acme.owner.actor,
        { benchmark: 'toy-qa', method: cast.method.id, isPublic: false },
        bytes,
      );
      const secretOf = async (role: RoleName) => {
        const a = actors[role];
        if (a.kind === 'anonymous') return null;
        if (a.kind === 'runner') return cast.runnerToken.secret;
        return (await createApiToken(p, a, { name: `artifact ${role}` })).secret;
      };
      const get = async (path: string, token: string | null, method = 'GET') => {
        const res = await fetch(`${srv.baseUrl}${path}`, {
          method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        return { res, body: Buffer.from(await res.arrayBuffer()) };
      };
      const statuses: string[] = [];
      for (const role of ROLES) {
        const token = await secretOf(role);
        const pub = await get(`/api/submissions/${publicSub.id}/artifact`, token);
        const priv = await get(`/api/submissions/${privateSub.id}/artifact`, token);
        statuses.push(`${role} public ${pub.res.status} private ${priv.res.status}`);
        if (role === 'member') {
          expect(priv.body.equals(Buffer.from(bytes))).toBe(true);
          expect(Object.fromEntries(priv.res.headers)).toMatchObject({
            'content-type': 'application/octet-stream',
            'content-disposition': `attachment; filename="${privateSub.id}.artifact"; filename*=UTF-8''${privateSub.id}.artifact`,
            'x-content-type-options': 'nosniff',
            'content-security-policy': "default-src 'none'; sandbox; frame-ancestors 'none'",
            'cache-control': 'private, max-age=31536000, immutable',
            'content-length': String(bytes.length),
            etag: `"${privateSub.artifact.sha256}"`,
          });
        }
        if (role === 'anonymous') {
          expect(pub.body.equals(Buffer.from(goodPredictions()))).toBe(true);
          expect(JSON.parse(priv.body.toString())).toMatchObject({ error: { message: 'submission not found' } });
        }
      }
      // private: its team (any role) and platform admins; everyone else cannot tell it exists
      expect(statuses).toEqual([
        'anonymous public 200 private 404',
        'runner public 200 private 404',
        'outsider public 200 private 404',
        'member public 200 private 200',
        'reviewer public 200 private 200',
        'maintainer public 200 private 200',
        'teamAdmin public 200 private 200',
        'platformAdmin public 200 private 200',
      ]);
      const head = await get(`/api/submissions/${publicSub.id}/artifact`, null, 'HEAD');
      expect([head.res.status, head.res.headers.get('content-length'), head.body.length]).toEqual([
        200,
        String(goodPredictions().length),
        0,
      ]);
      expect((await get('/api/submissions/00000000-0000-4000-8000-000000000000/artifact', null)).res.status).toBe(404);
      expect((await get('/api/submissions/not-a-uuid/artifact', null)).res.status).toBe(400);
      expect((await get(`/api/submissions/${publicSub.id}/artifact`, null, 'POST')).res.status).toBe(404);
    } finally {
      await srv.close();
    }
  });

  it('refuses cookie-authenticated mutations from another site', async () => {
    const srv = await serveTestPlatform(p);
    try {
      const outsiderEmail = (await makeUser(p, { name: 'csrf' })).email;
      const s = await signIn(p, { email: outsiderEmail, password: 'correct horse battery' });
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
