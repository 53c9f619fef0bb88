import { request } from 'node:http';
import { hostname } from 'node:os';
import { loadConfig } from '@trueboard/core';
import { makeUser, serveTestPlatform, testPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearThrottles,
  mutate,
  type Served,
  type Server,
  serveDirect,
  serveProxied,
  signIn,
  stopAll,
} from './security-auth-setup';

/*
 * Cookies behind a proxy, Host validation and their configuration (issue 9), over HTTP against the
 * real fetch handler on a real PostgreSQL. Each test failed before its fix: `Secure` ignored
 * X-Forwarded-Proto and any Host was served.
 */

let direct: Served;
let proxied: Served;

beforeAll(async () => {
  direct = await serveDirect();
  proxied = await serveProxied();
});

afterAll(() => stopAll(direct, proxied));

beforeEach(() => clearThrottles(direct, proxied));

// makes each team slug unique within this file's own database
let n = 0;

describe('session cookie behind a TLS proxy', () => {
  it('is not Secure over plain HTTP, and X-Forwarded-Proto is ignored unless the proxy is trusted', async () => {
    const u = await makeUser(direct.p);
    const plain = await signIn(direct.srv, u.email, u.password, { 'x-forwarded-proto': 'https' });
    expect(plain.cookie).toMatch(/HttpOnly; SameSite=Lax/);
    expect(plain.cookie).not.toMatch(/Secure/);
  });

  it('is Secure when a trusted proxy says the client used HTTPS', async () => {
    const u = await makeUser(proxied.p);
    const tls = await signIn(proxied.srv, u.email, u.password, { 'x-forwarded-proto': 'https' });
    expect(tls.cookie).toMatch(/; HttpOnly; SameSite=Lax; Expires=.*; Secure$/);
    const http = await signIn(proxied.srv, u.email, u.password, { 'x-forwarded-proto': 'http' });
    expect(http.cookie).not.toMatch(/Secure/);
  });

  it("judges a cookie mutation's Origin against X-Forwarded-Host only from a trusted proxy", async () => {
    const teamsCreate = (srv: Server, cookie: string, headers: Record<string, string>) =>
      mutate(srv, 'teams.create', { slug: `csrf-${++n}`, name: 'x' }, { cookie, ...headers });
    const forged = { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' };
    const u = await makeUser(direct.p);
    const session = (await signIn(direct.srv, u.email, u.password)).cookie?.split(';')[0] ?? '';
    const refused = await teamsCreate(direct.srv, session, forged);
    expect([refused.status, refused.message]).toEqual([403, 'cross-site request refused']);
    // behind the trusted proxy, the host it reports is the one the browser used
    const v = await makeUser(proxied.p);
    const proxiedSession = (await signIn(proxied.srv, v.email, v.password)).cookie?.split(';')[0] ?? '';
    const viaProxy = { origin: 'https://board.corp.example', 'x-forwarded-host': 'board.corp.example' };
    expect((await teamsCreate(proxied.srv, proxiedSession, viaProxy)).status).toBe(200);
  });

  it('is Secure whenever TRUEBOARD_PUBLIC_URL is https', async () => {
    const p = await testPlatform({ publicUrl: 'https://trueboard.example' });
    const srv = await serveTestPlatform(p);
    try {
      const u = await makeUser(p);
      const r = await signIn(srv, u.email, u.password);
      expect(r.status).toBe(200);
      expect(r.cookie).toMatch(/; Secure$/);
      const out = await fetch(`${srv.baseUrl}/api/trpc/auth.signOut`, {
        method: 'POST',
        headers: { cookie: r.cookie?.split(';')[0] ?? '', origin: srv.baseUrl, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(out.headers.getSetCookie()[0]).toBe('tb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
    } finally {
      await srv.close();
      await p.close();
    }
  });
});

/** A request with a Host header of our choosing (fetch does not let a caller set Host). */
function withHost(srv: Server, host: string, path: string, headers: Record<string, string> = {}) {
  const { port } = new URL(srv.baseUrl);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header (DNS rebinding)', () => {
  it('refuses a foreign Host with 421 on every API route, tRPC included', async () => {
    for (const path of ['/api/health', '/api/trpc/auth.me', '/api/leaderboard/x.json']) {
      const r = await withHost(direct.srv, 'evil.example:3000', path);
      expect([path, r.status]).toEqual([path, 421]);
      expect(JSON.parse(r.body)).toEqual({
        error: {
          code: 'misdirected',
          message:
            'this server does not answer to the host "evil.example:3000": open it by its configured address, or add the name to TRUEBOARD_ALLOWED_HOSTS (or set TRUEBOARD_PUBLIC_URL)',
        },
      });
    }
  });

  it('answers to loopback names and addresses and to this machine by name, without any setting', async () => {
    const { port } = new URL(direct.srv.baseUrl);
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      '127.8.9.10',
      `[::1]:${port}`,
      'app.localhost',
      hostname(),
    ]) {
      expect([host, (await withHost(direct.srv, host, '/api/health')).status]).toEqual([host, 200]);
    }
    for (const host of [
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      `${hostname()}.evil.example`,
      'a b',
      'x@evil.example',
    ]) {
      expect([host, (await withHost(direct.srv, host, '/api/health')).status]).toEqual([host, 421]);
    }
  });

  it('answers to TRUEBOARD_ALLOWED_HOSTS (with .suffix wildcards) and, behind a trusted proxy, checks X-Forwarded-Host', async () => {
    expect((await withHost(proxied.srv, 'ci.corp.example', '/api/health')).status).toBe(200);
    expect((await withHost(proxied.srv, 'corp.example', '/api/health')).status).toBe(200);
    expect((await withHost(proxied.srv, 'corp.example.evil', '/api/health')).status).toBe(421);
    const viaProxy = (fwd: string) => withHost(proxied.srv, 'localhost', '/api/health', { 'x-forwarded-host': fwd });
    expect((await viaProxy('evil.example')).status).toBe(421);
    expect((await viaProxy('board.corp.example')).status).toBe(200);
    // without a trusted proxy X-Forwarded-Host is no way around the check either
    expect(
      (await withHost(direct.srv, 'evil.example', '/api/health', { 'x-forwarded-host': 'localhost' })).status,
    ).toBe(421);
  });

  it('answers to the host of TRUEBOARD_PUBLIC_URL', async () => {
    const p = await testPlatform({ publicUrl: 'https://board.example.org' });
    const srv = await serveTestPlatform(p);
    try {
      expect((await withHost(srv, 'board.example.org', '/api/health')).status).toBe(200);
      expect((await withHost(srv, 'other.example.org', '/api/health')).status).toBe(421);
    } finally {
      await srv.close();
      await p.close();
    }
  });
});

describe('configuration', () => {
  it('reads the public URL, the trusted proxy hops and the extra hosts, and names a bad value', () => {
    const c = loadConfig({
      TRUEBOARD_PUBLIC_URL: 'https://Board.Example.org/some/path',
      TRUEBOARD_TRUST_PROXY: '1',
      TRUEBOARD_ALLOWED_HOSTS: ' gpu-1.lab , .corp.example,,',
    });
    expect([c.publicUrl, c.trustProxy, c.allowedHosts]).toEqual([
      'https://board.example.org',
      1,
      ['gpu-1.lab', '.corp.example'],
    ]);
    const d = loadConfig({});
    expect([d.publicUrl, d.trustProxy, d.allowedHosts]).toEqual([undefined, 0, []]);
    expect(() => loadConfig({ TRUEBOARD_PUBLIC_URL: 'ftp://board.example.org' })).toThrow(
      'bad input: environment: TRUEBOARD_PUBLIC_URL: must be an http(s) URL',
    );
    expect(() => loadConfig({ TRUEBOARD_TRUST_PROXY: 'yes' })).toThrow(
      /^bad input: environment: TRUEBOARD_TRUST_PROXY: /,
    );
  });
});
