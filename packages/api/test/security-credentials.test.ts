import { makeUser } from '@trueboard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearThrottles, mutate, type Served, serveDirect, signIn, stopAll, unknownEmail } from './security-auth-setup';

/*
 * Length caps and common passwords (issue 9), over HTTP against the real fetch handler on a real
 * PostgreSQL. Each test failed before its fix: a 300-character password was checked and
 * `password123` made an account.
 */

let direct: Served;

beforeAll(async () => {
  direct = await serveDirect();
});

afterAll(() => stopAll(direct));

beforeEach(() => clearThrottles(direct));

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
