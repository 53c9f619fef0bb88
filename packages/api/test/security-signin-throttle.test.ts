import { createApiToken, createTeam, networkKey, THROTTLE_POLICIES } from '@trueboard/core';
import { makeUser, type TestPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearThrottles,
  mutate,
  n,
  type Served,
  serveDirect,
  serveProxied,
  signIn,
  stopAll,
  unknownEmail,
} from './security-auth-setup';

/*
 * Sign-in brute force, sign-up per network and account enumeration (issue 9), over HTTP against the
 * real fetch handler on a real PostgreSQL. Each test failed before its fix: sign-in had no limit.
 */

let direct: Served;
let proxied: Served;

beforeAll(async () => {
  direct = await serveDirect();
  proxied = await serveProxied();
});

afterAll(() => stopAll(direct, proxied));

beforeEach(() => clearThrottles(direct, proxied));

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
