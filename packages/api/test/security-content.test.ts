import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler, serve } from '@trueboard/api';
import {
  claim,
  completeRun,
  createApiToken,
  createMethod,
  createRunnerToken,
  importBenchmarkDir,
  loadConfig,
  type Platform,
  registerRunner,
  resolveSecret,
  submit,
} from '@trueboard/core';
import { artifacts } from '@trueboard/db';
import {
  goodPredictions,
  makeTeam,
  serveTestPlatform,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  testReport,
  toyScenario,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * User content is never active content on the platform's origin (issue 9): whatever type an
 * uploader claims, blobs and version files come back as downloads with a fixed type, nosniff and a
 * sandbox CSP; every API response carries the security headers; runner tokens read only the blobs of
 * the runs they hold.
 */

const HTML = '<!doctype html><html><body><script>fetch("/api/trpc/tokens.create")</script></body></html>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>document.title = "pwned"</script></svg>';

let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let adminSecret: string;

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  adminSecret = (await createApiToken(p, cast.admin.actor, { name: 'admin' })).secret;
  srv = await serveTestPlatform(p);
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await p?.close();
});

const get = (path: string, token?: string) =>
  fetch(`${srv.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The headers every piece of user content must come with. */
function expectDownload(res: Response, filename: string, contentType = 'application/octet-stream') {
  expect(res.headers.get('content-type')).toBe(contentType);
  expect(res.headers.get('content-disposition')).toBe(
    `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
  );
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox; frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
}

async function uploadAs(token: string, body: string, contentType: string, methodId: string) {
  const res = await fetch(`${srv.baseUrl}/api/submissions?benchmark=toy-qa&method=${methodId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { artifact: { sha256: string } }).artifact.sha256;
}

const storedType = async (sha: string) =>
  (await p.db.select({ t: artifacts.mediaType }).from(artifacts).where(eq(artifacts.sha256, sha)))[0]?.t;

describe('uploads never keep the client content type', () => {
  it('stores an HTML or SVG submission as application/octet-stream and serves it as an attachment', async () => {
    const member = cast.acme.members.member;
    if (!member) throw new Error('toyScenario has no member');
    const user = (await createApiToken(p, member.actor, { name: 'u' })).secret;
    for (const [body, type] of [
      [HTML, 'text/html'],
      [SVG, 'image/svg+xml'],
    ] as const) {
      const sha = await uploadAs(user, body, type, cast.method.id);
      expect(await storedType(sha)).toBe('application/octet-stream');
      const res = await get(`/api/blobs/${sha}`, adminSecret);
      expect(res.status).toBe(200);
      expectDownload(res, sha);
      expect(await res.text()).toBe(body);
      const head = await fetch(`${srv.baseUrl}/api/blobs/${sha}`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${adminSecret}` },
      });
      expectDownload(head, sha);
    }
  });

  it('stores a dataset file uploaded with a Content-Type as application/octet-stream', async () => {
    const res = await fetch(`${srv.baseUrl}/api/blobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminSecret}`, 'content-type': 'text/html' },
      body: `${HTML}<!-- dataset -->`,
    });
    expect(res.status).toBe(200);
    const { sha256 } = (await res.json()) as { sha256: string };
    expect(await storedType(sha256)).toBe('application/octet-stream');
  });

  it('ignores a poisoned type already stored for a hash', async () => {
    const blob = await p.storage.put(Buffer.from(`${HTML}<!-- old row -->`), { maxBytes: 1 << 20, label: 'test' });
    await p.db
      .insert(artifacts)
      .values({ sha256: blob.sha256, size: blob.size, mediaType: 'text/html', storageKey: blob.storageKey });
    const res = await get(`/api/blobs/${blob.sha256}`, adminSecret);
    expect(res.status).toBe(200);
    expectDownload(res, blob.sha256);
  });
});

describe('version downloads', () => {
  it('serves files, diff.json and changelog.md as attachments with fixed types', async () => {
    const file = await get('/api/benchmarks/toy-qa/versions/1/files/gold.json');
    expect(file.status).toBe(200);
    expectDownload(file, 'gold.json');
    expect(JSON.parse(await file.text())).toHaveProperty('examples');
    const diff = await get('/api/benchmarks/toy-qa/versions/1/diff.json');
    expect(diff.status).toBe(200);
    expectDownload(diff, 'toy-qa-v1-diff.json', 'application/json; charset=utf-8');
    const log = await get('/api/benchmarks/toy-qa/versions/1/changelog.md');
    expect(log.status).toBe(200);
    expectDownload(log, 'toy-qa-v1-changelog.md', 'text/plain; charset=utf-8');
  });

  it('encodes a hostile file name without letting it into the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-weird-'));
    cpSync(TOY_QA_DIR, dir, { recursive: true });
    const name = 'we"ird\r\nSet-Cookie: tb=1; é\u202e.txt';
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'notes', name), 'notes');
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        id: 'weird-names',
        name: 'Weird names',
        family: 'text2sql',
        metrics: [{ name: 'accuracy', label: 'Accuracy' }],
        primaryMetric: 'accuracy',
        files: ['gold.json', 'notes'],
      }),
    );
    await importBenchmarkDir(p, cast.admin.actor, dir);
    const res = await get(`/api/benchmarks/weird-names/versions/1/files/notes/${encodeURIComponent(name)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="we_irdSet-Cookie: tb=1_ _.txt"; filename*=UTF-8''we%22irdSet-Cookie%3A%20tb%3D1%3B%20%C3%A9.txt`,
    );
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toBe('notes');
    // a CR/LF in a path that is not a file is a 404, and a broken escape a 400, never a 500
    const crlf = await get('/api/benchmarks/toy-qa/versions/1/files/x%0D%0ASet-Cookie:%20tb=1');
    expect(crlf.status).toBe(404);
    expect(crlf.headers.get('set-cookie')).toBeNull();
    const broken = await get('/api/benchmarks/toy-qa/versions/1/files/%E0%A4%A');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(/percent-encoding/);
  });
});

describe('security headers on every API response', () => {
  it('health, tRPC, REST errors and unknown routes are locked down', async () => {
    const responses = {
      health: await get('/api/health'),
      trpcQuery: await get(`/api/trpc/auth.me?input=${encodeURIComponent('null')}`),
      trpcError: await get('/api/trpc/no.such.procedure'),
      unauthorized: await get(`/api/blobs/${'a'.repeat(64)}`),
      unknown: await get('/api/nothing-here'),
      leaderboard: await get('/api/leaderboard/toy-qa.csv'),
    };
    expect(responses.health.status).toBe(200);
    expect(responses.unauthorized.status).toBe(401);
    expect(responses.unknown.status).toBe(404);
    for (const [what, res] of Object.entries(responses)) {
      expect([what, res.headers.get('content-security-policy')]).toEqual([
        what,
        "default-src 'none'; frame-ancestors 'none'",
      ]);
      expect([what, res.headers.get('x-content-type-options')]).toEqual([what, 'nosniff']);
      expect([what, res.headers.get('x-frame-options')]).toEqual([what, 'DENY']);
      expect([what, res.headers.get('referrer-policy')]).toEqual([what, 'same-origin']);
    }
  });
});

/** A GET with an explicit Host header (fetch does not let a caller set one). */
function getWithHost(port: number, host: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('a separate download origin (TRUEBOARD_DOWNLOAD_ORIGIN)', () => {
  it('serves version downloads there and nothing else', async () => {
    const withDl: Platform = { ...p, config: { ...p.config, downloadOrigin: 'http://downloads.test:8443' } };
    const server = await serve(
      createHandler(() => Promise.resolve(withDl)),
      0,
    );
    try {
      const port = (server.address() as { port: number }).port;
      const dl = 'downloads.test:8443';
      const file = await getWithHost(port, dl, '/api/benchmarks/toy-qa/versions/1/files/gold.json');
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toMatch(/^attachment; /);
      for (const path of ['/api/trpc/auth.me', '/api/health', `/api/blobs/${'a'.repeat(64)}`, '/api/submissions']) {
        const res = await getWithHost(port, dl, path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.body).toContain('this origin only serves downloads');
      }
      // the app's own origin is unaffected
      expect((await getWithHost(port, `127.0.0.1:${port}`, '/api/health')).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('must be another host than the public URL', () => {
    const env = {
      TRUEBOARD_PUBLIC_URL: 'https://board.example.org',
      TRUEBOARD_DOWNLOAD_ORIGIN: 'https://board.example.org/',
    };
    expect(() => loadConfig(env)).toThrow(
      'bad input: environment: TRUEBOARD_DOWNLOAD_ORIGIN must be another host than TRUEBOARD_PUBLIC_URL',
    );
    expect(
      loadConfig({ ...env, TRUEBOARD_DOWNLOAD_ORIGIN: 'https://dl.example-usercontent.org/x' }).downloadOrigin,
    ).toBe('https://dl.example-usercontent.org');
  });
});

describe('runner tokens read only the blobs of the runs they hold', () => {
  let q: TestPlatform;
  let qsrv: Awaited<ReturnType<typeof serveTestPlatform>>;

  beforeAll(async () => {
    q = await testPlatform();
    qsrv = await serveTestPlatform(q);
  }, 120_000);

  afterAll(async () => {
    await qsrv?.close();
    await q?.close();
  });

  it('refuses the artifact of a run leased to another runner or not leased at all', async () => {
    const c = await toyScenario(q);
    const admin = (await createApiToken(q, c.admin.actor, { name: 'admin' })).secret;
    const runner = async (name: string) => {
      const secret = (await createRunnerToken(q, c.admin.actor, { name })).secret;
      const actor = await resolveSecret(q, secret);
      const { runnerId } = await registerRunner(q, actor, {
        hostname: name,
        device: 'cpu',
        families: ['text2sql'],
        version: 't',
      });
      return { secret, actor, runnerId };
    };
    const x = await runner('x');
    const y = await runner('y');
    // three submissions, one private, each from its own team (the toy benchmark's quota is per team)
    const entry = async (slug: string, answer: string, isPublic: boolean) => {
      const team = await makeTeam(q, slug);
      const m = await createMethod(q, team.owner.actor, { team: slug, name: slug });
      return submit(
        q,
        team.owner.actor,
        { benchmark: 'toy-qa', method: m.id, isPublic },
        goodPredictions({ q1: answer }),
      );
    };
    const a = await entry('team-a', 'a', true);
    const b = await entry('team-b', 'b', false);
    const unleased = await entry('team-c', 'c', false);
    const jobA = await claim(q, x.actor, { runnerId: x.runnerId, families: ['text2sql'], waitSeconds: 0 });
    const jobB = await claim(q, y.actor, { runnerId: y.runnerId, families: ['text2sql'], waitSeconds: 0 });
    expect([jobA?.submissionId, jobB?.submissionId]).toEqual([a.id, b.id]);
    if (!jobA || !jobB) throw new Error('no jobs');
    const read = (sha: string, secret: string) =>
      fetch(`${qsrv.baseUrl}/api/blobs/${sha}`, { headers: { authorization: `Bearer ${secret}` } });

    // its own artifact and its dataset files
    const own = await read(a.artifact.sha256, x.secret);
    expect(own.status).toBe(200);
    expect(await own.text()).toBe(new TextDecoder().decode(goodPredictions({ q1: 'a' })));
    const gold = jobA.dataset.files.find((f) => f.path === 'gold.json');
    expect((await read(gold?.sha256 ?? '', x.secret)).status).toBe(200);
    // another runner's (private) artifact, and one nobody holds yet
    const other = await read(b.artifact.sha256, x.secret);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(
      /not found among the files of the runs and correction checks this runner holds a lease on/,
    );
    expect((await read(unleased.artifact.sha256, x.secret)).status).toBe(404);
    expect((await read(b.artifact.sha256, y.secret)).status).toBe(200);
    // admins read everything
    for (const s of [a, b, unleased]) expect((await read(s.artifact.sha256, admin)).status).toBe(200);

    // once the run is done, the lease is gone and so is the access
    await completeRun(q, x.actor, jobA.runId, {
      report: testReport(jobA, {
        metrics: [
          {
            name: 'accuracy',
            semantics: 'exact-match',
            value: 20,
            ci: { low: 1, high: 60, level: 0.95, method: 'wilson' },
            n: 5,
          },
        ],
        examples: [{ id: 'q1', verdict: 1, data: {} }],
      }),
    });
    expect((await read(a.artifact.sha256, x.secret)).status).toBe(404);
    expect((await read(gold?.sha256 ?? '', x.secret)).status).toBe(404);
    // y holds a run on the same dataset version: its files stay readable to y
    expect((await read(gold?.sha256 ?? '', y.secret)).status).toBe(200);
  });
});
