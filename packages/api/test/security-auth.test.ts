import { request } from 'node:http';
import { hostname } from 'node:os';
import { createApiToken, createTeam, loadConfig, networkKey, THROTTLE_POLICIES } from '@trueboard/core';
import { makeUser, serveTestPlatform, type TestPlatform, testPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * Authentication hardening of issue 9 (brute force, length caps, common passwords, enumeration,
 * cookies behind a proxy, Host validation), over HTTP against the real fetch handler on a real
 * PostgreSQL. Each test failed before its fix: sign-in had no limit, a 300-character password was
 * checked, `password123` made an account, `Secure` ignored X-Forwarded-Proto and any Host was served.
 */

type Server = Awaited<ReturnType<typeof serveTestPlatform>>;
let direct: { p: TestPlatform; srv: Server };
let proxied: { p: TestPlatform; srv: Server };

beforeAll(async () => {
  const p = await testPlatform();
  direct = { p, srv: await serveTestPlatform(p) };
  // behind one reverse proxy that terminates TLS for https://trueboard.example
  const q = await testPlatform({ trustProxy: 1, allowedHosts: ['.corp.example'] });
  proxied = { p: q, srv: await serveTestPlatform(q) };
});

afterAll(async () => {
  await direct.srv.close();
  await proxied.srv.close();
  await direct.p.close();
  await proxied.p.close();
});

// every test starts with no failures counted anywhere
beforeEach(async () => {
  await direct.p.sql`delete from auth_throttles`;
  await proxied.p.sql`delete from auth_throttles`;
});

interface Answer {
  status: number;
  message: string;
  headers: Headers;
  cookie: string | undefined;
}

/** One tRPC mutation over HTTP, with extra headers; never batched. */
async function mutate(srv: Server, path: string, input: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${srv.baseUrl}/api/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { error?: { message: string } };
  return {
    status: res.status,
    message: body.error?.message ?? '',
    headers: res.headers,
    cookie: res.headers.getSetCookie().find((c) => c.startsWith('tb_session=')),
  } satisfies Answer;
}

const signIn = (srv: Server, email: string, password: string, headers: Record<string, string> = {}) =>
  mutate(srv, 'auth.signIn', { email, password }, headers);

let n = 0;
const unknownEmail = () => `nobody${++n}-${Date.now()}@example.org`;
const LOCKED = /^too many failed sign-in attempts; try again in \d+ seconds? \(at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/;

/** Lets every lock run out, as if its time had passed (tests never wait). */
const expireLocks = (p: TestPlatform) => p.sql`update auth_throttles set locked_until = now() - interval '1 second'`;

describe('sign-in brute force: per account', () => {
  it('locks an account after 5 failures, refusing even the right password, with Retry-After', async () => {
    const u = await makeUser(direct.p);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await signIn(direct.srv, u.email, `wrong guess number ${i}`);
      statuses.push(r.status);
      expect(r.message).toBe('wrong email or password');
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await signIn(direct.srv, u.email, u.password);
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(LOCKED);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.cookie).toBeUndefined();
  });

  it('answers an unknown email exactly like a known one, so a lock reveals nothing', async () => {
    const u = await makeUser(direct.p);
    const run = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await signIn(direct.srv, email, `wrong guess number ${i}`);
        out.push(`${r.status} ${r.message.replace(/\d+/g, 'N').replace(/\(at .*\)/, '(at T)')}`);
      }
      return out;
    };
    const known = await run(u.email);
    await direct.p.sql`delete from auth_throttles where scope = 'ip'`;
    const unknown = await run(unknownEmail());
    expect(unknown).toEqual(known);
    expect(known.slice(4)).toEqual([
      '401 wrong email or password',
      '429 too many failed sign-in attempts; try again in N seconds (at T)',
      '429 too many failed sign-in attempts; try again in N seconds (at T)',
    ]);
  });

  it('backs off exponentially up to a 15-minute cap, and the lock always runs out', async () => {
    const u = await makeUser(direct.p);
    const lockSeconds = async () => {
      const [row] = await direct.p.sql<{ s: number }[]>`
        select extract(epoch from locked_until - last_failure_at)::int as s from auth_throttles where scope = 'account'`;
      return row?.s ?? null;
    };
    const seen: (number | null)[] = [];
    for (let i = 0; i < 8; i++) {
      expect((await signIn(direct.srv, u.email, `wrong guess number ${i}`)).status).toBe(401);
      seen.push(await lockSeconds());
      await expireLocks(direct.p);
    }
    // 5 free failures (the 5th sets the first lock), then doubling: 2 s, 4 s, 8 s, 16 s
    expect(seen).toEqual([null, null, null, null, 2, 4, 8, 16]);
    await direct.p.sql`update auth_throttles set failures = 60 where scope = 'account'`;
    expect((await signIn(direct.srv, u.email, 'wrong again, many times')).status).toBe(401);
    expect(await lockSeconds()).toBe(THROTTLE_POLICIES.account.maxSeconds);
    expect(THROTTLE_POLICIES.account.maxSeconds).toBe(900);
    // once the lock runs out the real user gets in, and their success forgets the failures
    await expireLocks(direct.p);
    const ok = await signIn(direct.srv, u.email, u.password);
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/^tb_session=/);
    const [left] = await direct.p.sql<
      { n: number }[]
    >`select count(*)::int as n from auth_throttles where scope = 'account'`;
    expect(left?.n).toBe(0);
  });

  it('lets exactly 5 of 20 parallel guesses through: the lock check and the count are one step', async () => {
    const u = await makeUser(direct.p);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(direct.srv, u.email, `parallel wrong guess ${i}`)),
    );
    const count = (status: number) => answers.filter((r) => r.status === status).length;
    expect([count(401), count(429)]).toEqual([5, 15]);
  });

  it('forgets old failures after an hour without one', async () => {
    const u = await makeUser(direct.p);
    for (let i = 0; i < 4; i++) await signIn(direct.srv, u.email, `wrong guess number ${i}`);
    await direct.p.sql`update auth_throttles set last_failure_at = now() - interval '61 minutes'`;
    // 4 old failures forgotten: this one is the first again, and no lock follows it
    expect((await signIn(direct.srv, u.email, 'wrong guess again')).status).toBe(401);
    const [row] = await direct.p.sql<{ failures: number; locked: boolean }[]>`
      select failures, locked_until is not null as locked from auth_throttles where scope = 'account'`;
    expect(row).toEqual({ failures: 1, locked: false });
    // forgotten rows are deleted as later failures come in, so the table holds only recent ones
    await direct.p.sql`
      insert into auth_throttles (scope, subject, failures, last_failure_at)
      values ('account', 'stale-key', 3, now() - interval '2 hours')`;
    await signIn(direct.srv, u.email, 'wrong guess once more');
    const [stale] = await direct.p.sql<
      { n: number }[]
    >`select count(*)::int as n from auth_throttles where subject = 'stale-key'`;
    expect(stale?.n).toBe(0);
  });
});

describe('sign-in brute force: per client network', () => {
  it('locks the socket address after 20 failures across accounts, and X-Forwarded-For cannot dodge it', async () => {
    const real = await makeUser(direct.p);
    // password spraying: one guess per account, so no account lock ever triggers
    for (let i = 0; i < THROTTLE_POLICIES.ip.free; i++) {
      expect((await signIn(direct.srv, unknownEmail(), 'Summer2024!!')).status).toBe(401);
    }
    const spoofed = await signIn(direct.srv, unknownEmail(), 'Summer2024!!', { 'x-forwarded-for': '198.51.100.7' });
    expect(spoofed.status).toBe(429);
    expect(spoofed.message).toMatch(LOCKED);
    // from the locked network even a right password waits (else spraying would still pay off)
    expect((await signIn(direct.srv, real.email, real.password)).status).toBe(429);
    const [row] = await direct.p.sql<{ subject: string }[]>`select subject from auth_throttles where scope = 'ip'`;
    expect(row?.subject).toBe('127.0.0.1');
  });

  it('behind a trusted proxy, counts the address the proxy saw, so other clients are not locked out', async () => {
    const real = await makeUser(proxied.p);
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    for (let i = 0; i < THROTTLE_POLICIES.ip.free; i++) {
      expect((await signIn(proxied.srv, unknownEmail(), 'Autumn2024!!', attacker)).status).toBe(401);
    }
    expect((await signIn(proxied.srv, real.email, real.password, attacker)).status).toBe(429);
    // the client's own claims left of the proxy's entry change nothing
    const forged = { 'x-forwarded-for': `10.0.0.${n}, 203.0.113.66` };
    expect((await signIn(proxied.srv, unknownEmail(), 'Autumn2024!!', forged)).status).toBe(429);
    const elsewhere = await signIn(proxied.srv, real.email, real.password, { 'x-forwarded-for': '192.0.2.44' });
    expect(elsewhere.status).toBe(200);
  });

  it('keys IPv6 clients by their /64, and IPv4-mapped addresses as IPv4', () => {
    expect(networkKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toEqual({ scope: 'ip', subject: '2001:db8:1:2::/64' });
    expect(networkKey('2001:db8:1:2::ffff')).toEqual({ scope: 'ip', subject: '2001:db8:1:2::/64' });
    expect(networkKey('2001:db8::1')).toEqual({ scope: 'ip', subject: '2001:db8:0:0::/64' });
    expect(networkKey('::1')).toEqual({ scope: 'ip', subject: '0:0:0:0::/64' });
    expect(networkKey('::ffff:192.0.2.9')).toEqual({ scope: 'ip', subject: '192.0.2.9' });
    expect(networkKey('fe80::1%eth0')).toEqual({ scope: 'ip', subject: 'fe80:0:0:0::/64' });
    expect(networkKey('not an address')).toBeNull();
    expect(networkKey(null)).toBeNull();
  });
});

describe('account creation per network', () => {
  it('allows 10 new accounts a day from one network, then makes it wait; other networks are unaffected', async () => {
    const from = { 'x-forwarded-for': '198.51.100.23' };
    const signUp = (headers: Record<string, string>) =>
      mutate(
        proxied.srv,
        'auth.signUp',
        { email: unknownEmail(), name: 'Sock', password: 'violet canyon 42' },
        headers,
      );
    for (let i = 0; i < THROTTLE_POLICIES.signup.free; i++) expect((await signUp(from)).status).toBe(200);
    const refused = await signUp(from);
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(
      /^too many accounts created from your network today; try again in \d+ minutes \(at [\d-]+T[\d:.]+Z\)$/,
    );
    expect((await signUp({ 'x-forwarded-for': '198.51.100.24' })).status).toBe(200);
  });
});

describe('length caps', () => {
  it('refuses over-long passwords, emails and names with 400 before hashing anything', async () => {
    const u = await makeUser(direct.p);
    const long = await signIn(direct.srv, u.email, 'x'.repeat(257));
    expect(long.status).toBe(400);
    expect(long.message).toContain('password: a password has at most 256 characters');
    const email = await signIn(direct.srv, `${'e'.repeat(250)}@example.org`, 'whatever password');
    expect(email.status).toBe(400);
    expect(email.message).toContain('email: an email address has at most 254 characters');
    const signUp = (input: Record<string, string>) =>
      mutate(direct.srv, 'auth.signUp', {
        email: unknownEmail(),
        name: 'Ann',
        password: 'a fine long passphrase',
        ...input,
      });
    const pw = await signUp({ password: 'y'.repeat(300) });
    expect([pw.status, pw.message]).toEqual([400, expect.stringContaining('at most 256 characters')]);
    const name = await signUp({ name: 'N'.repeat(101) });
    expect(name.status).toBe(400);
    expect(name.message).toContain('name');
    // 256 characters is fine; refused input never counted as a guess
    expect((await signUp({ password: 'z y'.repeat(85).padEnd(256, 'q') })).status).toBe(200);
    const [row] = await direct.p.sql<
      { n: number }[]
    >`select count(*)::int as n from auth_throttles where scope <> 'signup'`;
    expect(row?.n).toBe(0);
  });
});

describe('common passwords', () => {
  it('refuses listed, repetitive and self-describing passwords at sign-up; the testkit password passes', async () => {
    const signUp = (password: string, email = unknownEmail()) =>
      mutate(direct.srv, 'auth.signUp', { email, name: 'Ann', password });
    for (const pw of ['password123', 'Password123', 'qwertyuiop', '1234567890', 'iloveyou123']) {
      const r = await signUp(pw);
      expect([pw, r.status, r.message]).toEqual([
        pw,
        400,
        expect.stringContaining('password: this password is on a list of common passwords; choose another'),
      ]);
    }
    expect((await signUp('aaaaaaaaaaaa')).message).toContain('repeats too few characters');
    expect((await signUp('my trueboard login')).message).toContain(
      'must not contain your email address or the site name',
    );
    expect((await signUp('grace.hopper.1906', 'grace.hopper@example.org')).message).toContain(
      'must not contain your email address',
    );
    const ok = await signUp('correct horse battery');
    expect(ok.status).toBe(200);
  });
});

describe('account enumeration', () => {
  it('sign-up of a taken email says so, but each such answer counts against the network', async () => {
    const u = await makeUser(direct.p);
    const taken = await mutate(direct.srv, 'auth.signUp', {
      email: u.email,
      name: 'X',
      password: 'another fine passphrase',
    });
    expect(taken.status).toBe(409);
    expect(taken.message).toBe(`an account for ${u.email} already exists; sign in instead`);
    for (let i = 1; i < THROTTLE_POLICIES.ip.free; i++) {
      const other = await makeUser(direct.p);
      const r = await mutate(direct.srv, 'auth.signUp', {
        email: other.email,
        name: 'X',
        password: 'another fine passphrase',
      });
      expect(r.status).toBe(409);
    }
    const probe = await mutate(direct.srv, 'auth.signUp', {
      email: unknownEmail(),
      name: 'X',
      password: 'another fine passphrase',
    });
    expect(probe.status).toBe(429);
    expect(probe.message).toMatch(/^too many failed sign-in or sign-up attempts from your network; try again in /);
  });

  it('adding a member by an unknown email is explained to the admin, and many misses lock the lookups', async () => {
    const admin = await makeUser(direct.p);
    await createTeam(direct.p, admin.actor, { slug: 'probe-lab', name: 'Probe lab' });
    const token = await createApiToken(direct.p, admin.actor, { name: 't' });
    const auth = { authorization: `Bearer ${token.secret}` };
    const add = (email: string) =>
      mutate(direct.srv, 'teams.setMember', { team: 'probe-lab', email, role: 'member' }, auth);
    const miss = await add('ghost@example.org');
    expect(miss.status).toBe(404);
    expect(miss.message).toBe('no account uses ghost@example.org: ask them to sign up first, then add them');
    for (let i = 1; i < THROTTLE_POLICIES.member_lookup.free; i++) expect((await add(unknownEmail())).status).toBe(404);
    // locked: an existing address gets the same 429 as an unknown one
    const existing = await makeUser(direct.p);
    const locked = await add(existing.email);
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/^too many failed lookups of unknown email addresses; try again in /);
    expect((await add(unknownEmail())).status).toBe(429);
    // successful adds never count
    await expireLocks(direct.p);
    await direct.p.sql`delete from auth_throttles`;
    for (let i = 0; i < 25; i++) expect((await add((await makeUser(direct.p)).email)).status).toBe(200);
  });
});

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
