import { type Actor, createApiToken } from '@trueboard/core';
import { serveTestPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, type ScoredSubmission, type World } from './access-world';

/*
 * A private submission is seen by its team and platform admins only. Everyone else — signed out,
 * a runner token, a user of no team, a member of another team — gets what they would get for an
 * id that does not exist, from every route that serves submissions: tRPC get, result, examples,
 * logs, reproduction and list over HTTP, and the REST artifact download, blob and leaderboard
 * routes. Checked over the real HTTP handler with real tokens.
 */

let w: World;
let base: string;
let closeServer: () => Promise<void>;
/** callers, and their bearer token (null: signed out) */
let tokens: Record<Caller, string | null>;

const CALLERS = ['anonymous', 'runner', 'outsider', 'otherTeam', 'member', 'platformAdmin'] as const;
type Caller = (typeof CALLERS)[number];
type Sub = 'acmePublic' | 'acmePrivate' | 'globexPrivate';
const SUBS: Sub[] = ['acmePublic', 'acmePrivate', 'globexPrivate'];
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  w = await buildWorld();
  const srv = await serveTestPlatform(w.p);
  base = srv.baseUrl;
  closeServer = srv.close;
  const token = async (a: Actor) => (await createApiToken(w.p, a, { name: 'private-test' })).secret;
  tokens = {
    anonymous: null,
    runner: w.cast.runnerToken.secret,
    outsider: await token(w.actors.outsider),
    otherTeam: await token(w.globex.owner.actor),
    member: await token(w.actors.member),
    platformAdmin: await token(w.actors.platformAdmin),
  };
});
afterAll(async () => {
  await closeServer();
  await w.p.close();
});

const auth = (c: Caller): Record<string, string> => {
  const t = tokens[c];
  return t ? { authorization: `Bearer ${t}` } : {};
};

async function trpc(c: Caller, path: string, input: unknown) {
  const res = await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: auth(c),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { result?: { data: unknown }; error?: { message: string } };
  return { status: res.status, data: body.result?.data, message: body.error?.message, text };
}

/** the submission-reading calls, each with its input for a submission */
const READS: Record<string, (s: { id: string; runId: string }) => unknown> = {
  'submissions.get': (s) => ({ id: s.id }),
  'submissions.result': (s) => ({ id: s.id }),
  'submissions.examples': (s) => ({ id: s.id }),
  'submissions.logs': (s) => ({ runId: s.runId, submissionId: s.id }),
  'submissions.reproduction': (s) => ({ id: s.id }),
};

describe('private submissions over tRPC', () => {
  it('are "not found" outside their team on get, result, examples, logs and reproduction, as an unknown id is', async () => {
    const seen: Record<string, string> = {};
    const secrets = (s: ScoredSubmission) => [s.method, s.log, s.artifact.sha256];
    for (const c of CALLERS) {
      for (const sub of SUBS) {
        const s = w.subs[sub];
        const statuses: number[] = [];
        for (const [path, input] of Object.entries(READS)) {
          const r = await trpc(c, path, input(s));
          statuses.push(r.status);
          if (r.status === 404) {
            // nothing in the answer tells a hidden submission from one that does not exist
            const unknown = await trpc(c, path, input({ id: UNKNOWN, runId: UNKNOWN }));
            expect([path, r.status, r.message]).toEqual([path, unknown.status, unknown.message]);
            for (const secret of secrets(s)) expect(r.text).not.toContain(secret);
          }
        }
        seen[`${c} ${sub}`] = statuses.join(' ');
      }
    }
    //              get result examples logs reproduction
    expect(seen).toEqual({
      'anonymous acmePublic': '200 200 200 200 200',
      'anonymous acmePrivate': '404 404 404 404 404',
      'anonymous globexPrivate': '404 404 404 404 404',
      'runner acmePublic': '200 200 200 200 200',
      'runner acmePrivate': '404 404 404 404 404',
      'runner globexPrivate': '404 404 404 404 404',
      'outsider acmePublic': '200 200 200 200 200',
      'outsider acmePrivate': '404 404 404 404 404',
      'outsider globexPrivate': '404 404 404 404 404',
      'otherTeam acmePublic': '200 200 200 200 200',
      'otherTeam acmePrivate': '404 404 404 404 404',
      'otherTeam globexPrivate': '200 200 200 200 200',
      'member acmePublic': '200 200 200 200 200',
      'member acmePrivate': '200 200 200 200 200',
      'member globexPrivate': '404 404 404 404 404',
      'platformAdmin acmePublic': '200 200 200 200 200',
      'platformAdmin acmePrivate': '200 200 200 200 200',
      'platformAdmin globexPrivate': '200 200 200 200 200',
    });
  });

  it("keep their run's log from a caller who names it under a submission they can see", async () => {
    const pub = w.subs.acmePublic;
    for (const c of CALLERS) {
      const r = await trpc(c, 'submissions.logs', { runId: w.subs.acmePrivate.runId, submissionId: pub.id });
      expect([c, r.status, r.message]).toEqual([c, 404, 'run not found']);
      expect(r.text).not.toContain(w.subs.acmePrivate.log);
    }
  });

  it('show their team what the others cannot see: the method, the result rows and the log', async () => {
    const s = w.subs.acmePrivate;
    const get = await trpc('member', 'submissions.get', { id: s.id });
    expect(get.data).toMatchObject({ id: s.id, isPublic: false, method: { name: s.method }, team: { slug: 'acme' } });
    const examples = (await trpc('member', 'submissions.examples', { id: s.id })).data as { total: number };
    expect(examples.total).toBe(5);
    const logs = (await trpc('member', 'submissions.logs', { runId: s.runId, submissionId: s.id })).data;
    expect((logs as { message: string }[]).map((l) => l.message)).toEqual([s.log]);
  });

  it('are listed only to their team and platform admins', async () => {
    const listed: Record<string, Sub[]> = {};
    for (const c of CALLERS) {
      const r = await trpc(c, 'submissions.list', { benchmark: 'toy-qa' });
      const ids = new Set((r.data as { id: string }[]).map((s) => s.id));
      listed[c] = SUBS.filter((sub) => ids.has(w.subs[sub].id));
      if (!listed[c].includes('acmePrivate')) expect(r.text).not.toContain(w.subs.acmePrivate.method);
    }
    expect(listed).toEqual({
      anonymous: ['acmePublic'],
      runner: ['acmePublic'],
      outsider: ['acmePublic'],
      otherTeam: ['acmePublic', 'globexPrivate'],
      member: ['acmePublic', 'acmePrivate'],
      platformAdmin: ['acmePublic', 'acmePrivate', 'globexPrivate'],
    });
  });

  it("keep a method with only private submissions out of its team's public method list", async () => {
    const names: Record<string, string[]> = {};
    for (const c of CALLERS) {
      const r = await trpc(c, 'methods.list', { team: 'acme' });
      names[c] = (r.data as { name: string }[]).map((m) => m.name);
    }
    const outside = [w.cast.method.name];
    const inside = [w.acmeSecret.name, w.cast.method.name];
    expect(names).toEqual({
      anonymous: outside,
      runner: outside,
      outsider: outside,
      otherTeam: outside,
      member: inside,
      platformAdmin: inside,
    });
  });
});

describe('private submissions over REST', () => {
  const get = async (path: string, c: Caller, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method, headers: auth(c) });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  it("serve a submission's artifact with the submission's visibility, as an inert download", async () => {
    const statuses: Record<string, string> = {};
    for (const c of CALLERS) {
      const row: number[] = [];
      for (const sub of SUBS) {
        const s = w.subs[sub];
        const r = await get(`/api/submissions/${s.id}/artifact`, c);
        row.push(r.res.status);
        if (r.res.status === 200) expect(r.body.equals(Buffer.from(s.artifact.bytes))).toBe(true);
        else expect(JSON.parse(r.body.toString())).toMatchObject({ error: { message: 'submission not found' } });
      }
      statuses[c] = row.join(' ');
    }
    //                          acmePublic acmePrivate globexPrivate
    expect(statuses).toEqual({
      anonymous: '200 404 404',
      runner: '200 404 404',
      outsider: '200 404 404',
      otherTeam: '200 404 200',
      member: '200 200 404',
      platformAdmin: '200 200 200',
    });
    const s = w.subs.acmePrivate;
    const priv = await get(`/api/submissions/${s.id}/artifact`, 'member');
    expect(Object.fromEntries(priv.res.headers)).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${s.id}.artifact"; filename*=UTF-8''${s.id}.artifact`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox; frame-ancestors 'none'",
      'cache-control': 'private, max-age=31536000, immutable',
      'content-length': String(s.artifact.bytes.length),
      etag: `"${s.artifact.sha256}"`,
    });
    const pub = w.subs.acmePublic;
    const head = await get(`/api/submissions/${pub.id}/artifact`, 'anonymous', 'HEAD');
    expect([head.res.status, head.res.headers.get('content-length'), head.body.length]).toEqual([
      200,
      String(pub.artifact.bytes.length),
      0,
    ]);
    expect((await get(`/api/submissions/${UNKNOWN}/artifact`, 'anonymous')).res.status).toBe(404);
    expect((await get('/api/submissions/not-a-uuid/artifact', 'anonymous')).res.status).toBe(400);
    expect((await get(`/api/submissions/${pub.id}/artifact`, 'anonymous', 'POST')).res.status).toBe(404);
  });

  it('keep their artifact blob from a runner that holds no lease on them, and from users', async () => {
    const blob = (c: Caller) => get(`/api/blobs/${w.subs.acmePrivate.artifact.sha256}`, c);
    const statuses = Object.fromEntries(
      await Promise.all(CALLERS.map(async (c) => [c, (await blob(c)).res.status] as const)),
    );
    expect(statuses).toEqual({
      anonymous: 401,
      runner: 404,
      outsider: 403,
      otherTeam: 403,
      member: 403,
      platformAdmin: 200,
    });
  });

  it('never put them on the leaderboard, for anyone, in JSON or CSV', async () => {
    const privates = [w.subs.acmePrivate, w.subs.globexPrivate];
    for (const c of CALLERS) {
      for (const path of [
        '/api/leaderboard/toy-qa.json',
        '/api/leaderboard/toy-qa.json?page=1',
        '/api/leaderboard/toy-qa.csv',
      ]) {
        const r = await get(path, c);
        expect([path, r.res.status]).toEqual([path, 200]);
        const text = r.body.toString();
        expect(text).toContain(w.subs.acmePublic.method);
        for (const s of privates)
          expect([path, text.includes(s.id), text.includes(s.method)]).toEqual([path, false, false]);
      }
      const board = await trpc(c, 'benchmarks.leaderboard', { benchmark: 'toy-qa' });
      const rows = (board.data as { rows: { submissionId: string }[] }).rows.map((r) => r.submissionId);
      expect(rows).toEqual([w.subs.acmePublic.id]);
    }
  });
});
