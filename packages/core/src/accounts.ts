import { DisplayName, EmailText } from '@trueboard/contracts';
import { apiTokens, runnerTokens, sessions, users } from '@trueboard/db';
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor, UserActor } from './actor';
import { recordAudit } from './audit';
import { weakPasswordReason } from './common-passwords';
import { badInput, conflict, DomainError, describeIssues, forbidden, notFound } from './errors';
import type { Platform } from './platform';
import { hashPassword, hashSecret, newSecret, TOKEN_PREFIX, verifyPassword } from './secrets';
import {
  accountKey,
  assertNotThrottled,
  clearThrottle,
  countFailure,
  forgiveAttempt,
  networkKey,
  reserveAttempt,
  signupKey,
} from './throttle';

/** Longer passwords are refused before hashing: argon2 over megabytes is a denial of service. */
export const PASSWORD_MAX = 256;
const Password = z.string().max(PASSWORD_MAX, `a password has at most ${PASSWORD_MAX} characters`);

export const SignUpInput = z
  .object({
    email: z.string().trim().toLowerCase().email('enter a valid email address').max(254),
    name: DisplayName(100),
    password: Password.min(10, 'use at least 10 characters'),
  })
  .superRefine((v, ctx) => {
    const weak = weakPasswordReason(v.password, { email: v.email });
    if (weak) ctx.addIssue({ code: 'custom', path: ['password'], message: weak });
  });
export type SignUpInput = z.input<typeof SignUpInput>;

export const SignInInput = z.object({ email: EmailText, password: Password });

export function parse<T extends z.ZodType>(schema: T, input: unknown, source: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw badInput(describeIssues(source, r.error.issues), { issues: r.error.issues });
  return r.data;
}

export function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw new DomainError('unauthorized', 'sign in first');
  return actor;
}

export function requireAdmin(actor: Actor): UserActor {
  const u = requireUser(actor);
  if (!u.isAdmin) throw forbidden('only platform admins can do this');
  return u;
}

/** Who is asking, as the transport knows it: the client's address (null when unknown). */
export interface AuthRequestInfo {
  clientIp?: string | null;
}

/**
 * Creates an account. An existing email is reported plainly (there is no email verification to
 * hide it behind), but each such answer counts as a failure against the caller's network, so
 * probing for accounts here is throttled like guessing passwords at sign-in.
 */
export async function signUp(p: Platform, input: SignUpInput, opts: { isAdmin?: boolean } & AuthRequestInfo = {}) {
  const v = parse(SignUpInput, input, 'sign-up');
  const network = networkKey(opts.clientIp);
  const signups = signupKey(opts.clientIp);
  await assertNotThrottled(p.db, [network], 'failed sign-in or sign-up attempts from your network');
  await assertNotThrottled(p.db, [signups], 'accounts created from your network today');
  const passwordHash = await hashPassword(v.password);
  const user = await createUser(p, v, passwordHash, opts.isAdmin ?? false).catch(async (err: unknown) => {
    if (err instanceof DomainError && err.code === 'conflict') await countFailure(p.db, [network]);
    throw err;
  });
  await countFailure(p.db, [signups]); // every new account counts toward its network's daily allowance
  return user;
}

function createUser(p: Platform, v: z.infer<typeof SignUpInput>, passwordHash: string, isAdmin: boolean) {
  return p.db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: v.email, name: v.name, passwordHash, isAdmin })
      .onConflictDoNothing()
      .returning({ id: users.id, email: users.email, name: users.name, isAdmin: users.isAdmin });
    if (!user) throw conflict(`an account for ${v.email} already exists; sign in instead`);
    await recordAudit(
      tx,
      { kind: 'user', userId: user.id, isAdmin: user.isAdmin, via: 'session' },
      {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        after: { email: user.email, name: user.name, isAdmin: user.isAdmin },
      },
    );
    return user;
  });
}

export async function createSession(p: Platform, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const { secret, hash } = newSecret('session');
  const expiresAt = new Date(Date.now() + p.config.sessionDays * 86_400_000);
  await p.db.insert(sessions).values({ userId, tokenHash: hash, expiresAt });
  return { token: secret, expiresAt };
}

/**
 * Checks a password. Every attempt is counted against the email (known or not, so a lock reveals
 * nothing) and the client's network before the password is checked; while either is locked even
 * the right password is refused (429 with when to retry). Success forgets the account's failures.
 */
export async function signIn(p: Platform, input: z.input<typeof SignInInput>, opts: AuthRequestInfo = {}) {
  const v = parse(SignInInput, input, 'sign-in');
  const account = accountKey(v.email);
  const network = networkKey(opts.clientIp);
  await reserveAttempt(p.db, [account, network], 'failed sign-in attempts');
  const [user] = await p.db.select().from(users).where(sql`lower(${users.email}) = ${v.email}`);
  // verify against a dummy hash when the user is unknown, so timing does not reveal accounts
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, v.password);
  if (!user || !ok) throw new DomainError('unauthorized', 'wrong email or password');
  await clearThrottle(p.db, account);
  await forgiveAttempt(p.db, network);
  const session = await createSession(p, user.id);
  return { user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin }, ...session };
}
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$4EGqQ6ZLku/UuRXaFEqHBg$sYehpfELRhoLioaG1QKfQFZ6ky/JnO4XawAfX6xPqUk';

export async function signOut(p: Platform, sessionToken: string): Promise<void> {
  await p.db.delete(sessions).where(eq(sessions.tokenHash, hashSecret(sessionToken)));
}

/** Resolves a bearer secret (session cookie, API token or runner token) to an actor; unknown → anonymous. */
export async function resolveSecret(p: Platform, secret: string | null | undefined): Promise<Actor> {
  if (!secret) return { kind: 'anonymous' };
  const hash = hashSecret(secret);
  const now = new Date();
  if (secret.startsWith(TOKEN_PREFIX.session)) {
    const [row] = await p.db
      .select({ userId: users.id, isAdmin: users.isAdmin })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, hash), gt(sessions.expiresAt, now)));
    return row ? { kind: 'user', userId: row.userId, isAdmin: row.isAdmin, via: 'session' } : { kind: 'anonymous' };
  }
  if (secret.startsWith(TOKEN_PREFIX.api)) {
    const [row] = await p.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .from(users)
      .where(
        and(
          eq(apiTokens.tokenHash, hash),
          isNull(apiTokens.revokedAt),
          or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
          eq(users.id, apiTokens.userId),
        ),
      )
      .returning({ userId: users.id, isAdmin: users.isAdmin });
    return row ? { kind: 'user', userId: row.userId, isAdmin: row.isAdmin, via: 'token' } : { kind: 'anonymous' };
  }
  if (secret.startsWith(TOKEN_PREFIX.runner)) {
    const [row] = await p.db
      .update(runnerTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(runnerTokens.tokenHash, hash), isNull(runnerTokens.revokedAt)))
      .returning({ id: runnerTokens.id });
    return row ? { kind: 'runner', tokenId: row.id } : { kind: 'anonymous' };
  }
  return { kind: 'anonymous' };
}

export const TokenInput = z.object({
  name: DisplayName(100),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});

export async function createApiToken(p: Platform, actor: Actor, input: z.input<typeof TokenInput>) {
  const u = requireUser(actor);
  const v = parse(TokenInput, input, 'token');
  const { secret, hash, prefix } = newSecret('api');
  const expiresAt = v.expiresInDays ? new Date(Date.now() + v.expiresInDays * 86_400_000) : null;
  return p.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId: u.userId, name: v.name, prefix, tokenHash: hash, expiresAt })
      .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt });
    if (!row) throw new Error('token insert returned nothing');
    await recordAudit(tx, u, {
      action: 'api_token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: v.name, prefix },
    });
    return { ...row, expiresAt, secret };
  });
}

export async function listApiTokens(p: Platform, actor: Actor) {
  const u = requireUser(actor);
  return p.db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, u.userId))
    .orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(p: Platform, actor: Actor, id: string) {
  const u = requireUser(actor);
  await p.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, u.userId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (!row) throw notFound('active token');
    await recordAudit(tx, u, { action: 'api_token.revoked', entityType: 'api_token', entityId: id });
  });
}

export async function createRunnerToken(p: Platform, actor: Actor, input: { name: string }) {
  const u = requireAdmin(actor);
  const v = parse(TokenInput.pick({ name: true }), input, 'runner token');
  const { secret, hash, prefix } = newSecret('runner');
  return p.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(runnerTokens)
      .values({ name: v.name, prefix, tokenHash: hash, createdBy: u.userId })
      .returning({ id: runnerTokens.id, name: runnerTokens.name, prefix: runnerTokens.prefix });
    if (!row) throw new Error('runner token insert returned nothing');
    await recordAudit(tx, u, {
      action: 'runner_token.created',
      entityType: 'runner_token',
      entityId: row.id,
      after: { name: v.name, prefix },
    });
    return { ...row, secret };
  });
}

export async function listRunnerTokens(p: Platform, actor: Actor) {
  requireAdmin(actor);
  return p.db
    .select({
      id: runnerTokens.id,
      name: runnerTokens.name,
      prefix: runnerTokens.prefix,
      createdAt: runnerTokens.createdAt,
      lastUsedAt: runnerTokens.lastUsedAt,
      revokedAt: runnerTokens.revokedAt,
    })
    .from(runnerTokens)
    .orderBy(desc(runnerTokens.createdAt));
}

export async function revokeRunnerToken(p: Platform, actor: Actor, id: string) {
  const u = requireAdmin(actor);
  await p.db.transaction(async (tx) => {
    const [row] = await tx
      .update(runnerTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(runnerTokens.id, id), isNull(runnerTokens.revokedAt)))
      .returning({ id: runnerTokens.id });
    if (!row) throw notFound('active runner token');
    await recordAudit(tx, u, { action: 'runner_token.revoked', entityType: 'runner_token', entityId: id });
  });
}

export async function getUser(p: Platform, actor: Actor) {
  const u = requireUser(actor);
  const [row] = await p.db
    .select({ id: users.id, email: users.email, name: users.name, isAdmin: users.isAdmin, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, u.userId));
  if (!row) throw notFound('user');
  return row;
}
