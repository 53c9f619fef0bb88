import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { authThrottles, type DbOrTx, type ThrottleScope } from '@trueboard/db';
import { and, eq, gt, lt, or, type SQL, sql } from 'drizzle-orm';
import { DomainError } from './errors';

/**
 * Exponential backoff on failures: `free` failures cost nothing, the next lock lasts `baseSeconds`
 * and each further failure doubles it up to `maxSeconds` — so a lock slows guessing to a few tries
 * an hour but never shuts the real user out for longer than the cap. Failures are forgotten when
 * the last one is `forgetAfterSeconds` old; a successful sign-in forgets the account's at once.
 */
export interface BackoffPolicy {
  free: number;
  baseSeconds: number;
  maxSeconds: number;
  forgetAfterSeconds: number;
}

// Per account: 5 free, then 2 s, 4 s, … 15 min: about 18 guesses in the first hour, then 4 an hour
// (ASVS 2.2.1 allows at most 100). Per network: more free tries, since offices and NATs share an
// address. Member lookups: an admin adding people rarely mistypes 20 addresses in an hour.
export const THROTTLE_POLICIES: Record<ThrottleScope, BackoffPolicy> = {
  account: { free: 5, baseSeconds: 2, maxSeconds: 900, forgetAfterSeconds: 3600 },
  ip: { free: 20, baseSeconds: 2, maxSeconds: 900, forgetAfterSeconds: 3600 },
  member_lookup: { free: 20, baseSeconds: 2, maxSeconds: 900, forgetAfterSeconds: 3600 },
  // accounts are free, and every quota is per account: 10 sign-ups a day per network, then an
  // hour's wait that doubles up to a day (a classroom behind one NAT can still join)
  signup: { free: 10, baseSeconds: 3600, maxSeconds: 86_400, forgetAfterSeconds: 86_400 },
};

export interface ThrottleKey {
  scope: ThrottleScope;
  subject: string;
}

/** How long the lock after the `failures`-th failure lasts, in seconds (null: no lock yet). */
export function lockSeconds(policy: BackoffPolicy, failures: number): number | null {
  if (failures < policy.free) return null;
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(failures - policy.free, 30));
}

/** The sign-in throttle of an email address: a hash, so typos and unknown addresses are not stored. */
export function accountKey(email: string): ThrottleKey {
  return { scope: 'account', subject: createHash('sha256').update(email.trim().toLowerCase()).digest('hex') };
}

/**
 * The throttle of a client address: IPv4 as is, IPv6 by its /64 (one subscriber usually holds a
 * whole /64, so per-address counting would be free to evade). Null when the address is unknown.
 */
export function networkKey(address: string | null | undefined): ThrottleKey | null {
  if (!address) return null;
  const a = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped?.[1] && isIPv4(mapped[1])) return { scope: 'ip', subject: mapped[1] };
  if (isIPv4(a)) return { scope: 'ip', subject: a };
  const bare = a.split('%')[0] ?? '';
  if (!isIPv6(bare)) return null;
  return { scope: 'ip', subject: `${ipv6Prefix64(bare)}::/64` };
}

function ipv6Prefix64(a: string): string {
  const [head = '', tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // a dotted IPv4 tail (::a.b.c.d forms) fills two of the eight groups
  const width = (gs: string[]) => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(left) - width(right)).fill('0');
  return [...left, ...zeros, ...right]
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':');
}

/** Accounts created from a client network (same grouping as `networkKey`). */
export function signupKey(address: string | null | undefined): ThrottleKey | null {
  const k = networkKey(address);
  return k ? { scope: 'signup', subject: k.subject } : null;
}

export function memberLookupKey(userId: string): ThrottleKey {
  return { scope: 'member_lookup', subject: userId };
}

const t = authThrottles;
const keyIs = (k: ThrottleKey) => and(eq(t.scope, k.scope), eq(t.subject, k.subject));
const secs = (n: number) => sql.raw(String(Math.trunc(n)));

/** The lock expression for a failure count: `now() + min(max, base·2^(n-free))`, or null under `free`. */
function lockAfter(policy: BackoffPolicy, failures: SQL): SQL {
  const p = { free: secs(policy.free), base: secs(policy.baseSeconds), max: secs(policy.maxSeconds) };
  return sql`case when ${failures} >= ${p.free} then now() + make_interval(secs => least(${p.max}::float8, ${p.base} * power(2::float8, least(${failures} - ${p.free}, 30)))) else null end`;
}

/** Counts one failure; with `onlyIfUnlocked`, a locked key is left alone and nothing is returned. */
async function countOne(db: DbOrTx, key: ThrottleKey, onlyIfUnlocked: boolean) {
  const policy = THROTTLE_POLICIES[key.scope];
  const stale = sql`${t.lastFailureAt} < now() - make_interval(secs => ${secs(policy.forgetAfterSeconds)})`;
  const next = sql`(case when ${stale} then 1 else ${t.failures} + 1 end)`;
  const [row] = await db
    .insert(t)
    .values({ ...key, failures: 1, lastFailureAt: sql`now()`, lockedUntil: lockAfter(policy, sql`1`) })
    .onConflictDoUpdate({
      target: [t.scope, t.subject],
      set: { failures: next, lastFailureAt: sql`now()`, lockedUntil: lockAfter(policy, next) },
      setWhere: onlyIfUnlocked ? sql`${t.lockedUntil} is null or ${t.lockedUntil} <= now()` : undefined,
    })
    .returning({ failures: t.failures });
  return row;
}

/** The error for a locked key: when to retry, and nothing about whether an account exists. */
async function throttledError(db: DbOrTx, keys: ThrottleKey[], what: string): Promise<DomainError | null> {
  const [row] = await db
    .select({
      until: sql<Date | string | null>`max(${t.lockedUntil})`,
      seconds: sql<number | null>`ceil(extract(epoch from max(${t.lockedUntil}) - now()))::int`,
    })
    .from(t)
    .where(and(or(...keys.map(keyIs)), gt(t.lockedUntil, sql`now()`)));
  if (!row?.until || row.seconds === null) return null;
  const retryAfterSeconds = Math.max(1, row.seconds);
  const retryAt = new Date(row.until).toISOString();
  return new DomainError(
    'quota_exceeded',
    `too many ${what}; try again in ${describeWait(retryAfterSeconds)} (at ${retryAt})`,
    { retryAfterSeconds, retryAt },
  );
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

const sorted = (keys: (ThrottleKey | null)[]) =>
  keys.filter((k): k is ThrottleKey => k !== null).sort((a, b) => (a.scope + a.subject < b.scope + b.subject ? -1 : 1));

/** Refuses (429, `quota_exceeded`) while any of the keys is locked; counts nothing. */
export async function assertNotThrottled(db: DbOrTx, keys: (ThrottleKey | null)[], what: string): Promise<void> {
  const ks = sorted(keys);
  if (!ks.length) return;
  const err = await throttledError(db, ks, what);
  if (err) throw err;
}

/**
 * Counts an attempt as a failure before its outcome is known, atomically with the lock check, so
 * parallel requests cannot all slip past the lock before the first failure is written. A locked
 * key refuses the attempt and counts nothing. Forgive or clear the keys when the attempt succeeds.
 */
export async function reserveAttempt(db: DbOrTx, keys: (ThrottleKey | null)[], what: string): Promise<void> {
  const ks = sorted(keys);
  if (!ks.length) return;
  await db.transaction(async (tx) => {
    for (const k of ks) {
      if (await countOne(tx, k, true)) continue;
      // locked: throwing rolls back the other keys' counts
      throw (await throttledError(tx, ks, what)) ?? new DomainError('quota_exceeded', `too many ${what}`);
    }
  });
  await pruneStale(db);
}

/** Counts a failure that has already happened (e.g. a lookup of an unknown email). */
export async function countFailure(db: DbOrTx, keys: (ThrottleKey | null)[]): Promise<void> {
  for (const k of sorted(keys)) await countOne(db, k, false);
  await pruneStale(db);
}

/** Takes back one reserved attempt that turned out to succeed (the lock goes if it drops below). */
export async function forgiveAttempt(db: DbOrTx, key: ThrottleKey | null): Promise<void> {
  if (!key) return;
  const policy = THROTTLE_POLICIES[key.scope];
  const less = sql`greatest(${t.failures} - 1, 0)`;
  await db
    .update(t)
    .set({
      failures: less,
      lockedUntil: sql`case when ${less} >= ${secs(policy.free)} then ${t.lockedUntil} else null end`,
    })
    .where(keyIs(key));
}

/** Forgets a key's failures (an account after a successful sign-in). */
export async function clearThrottle(db: DbOrTx, key: ThrottleKey): Promise<void> {
  await db.delete(t).where(keyIs(key));
}

// each scope's forget window, as SQL: `case scope when 'account' then 3600 … end`
const FORGET_SECONDS = sql`case ${t.scope} ${sql.join(
  Object.entries(THROTTLE_POLICIES).map(([scope, p]) => sql`when ${scope} then ${secs(p.forgetAfterSeconds)}`),
  sql` `,
)} end`;

/**
 * Deletes a bounded batch of forgotten rows; called on every counted failure, so the table holds
 * at most the keys that failed within the last forget window (every row costs someone a failure).
 */
async function pruneStale(db: DbOrTx): Promise<void> {
  const staleRows = db
    .select({ scope: t.scope, subject: t.subject })
    .from(t)
    .where(
      and(
        lt(t.lastFailureAt, sql`now() - make_interval(secs => ${FORGET_SECONDS})`),
        or(sql`${t.lockedUntil} is null`, lt(t.lockedUntil, sql`now()`)),
      ),
    )
    .limit(100);
  await db.delete(t).where(sql`(${t.scope}, ${t.subject}) in (${staleRows})`);
}
