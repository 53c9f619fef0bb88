import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { oneOf, ts } from './columns';

/**
 * What a throttle counts failures of: sign-ins per account (keyed by a hash of the email, whether
 * or not the account exists) and per client network, member lookups of unknown emails per user, and
 * accounts created per client network.
 */
export const THROTTLE_SCOPES = ['account', 'ip', 'member_lookup', 'signup'] as const;
export type ThrottleScope = (typeof THROTTLE_SCOPES)[number];

/** Failure counters with exponential backoff; a row whose last failure is old enough is stale. */
export const authThrottles = pgTable(
  'auth_throttles',
  {
    scope: text('scope').$type<ThrottleScope>().notNull(),
    subject: text('subject').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: ts('last_failure_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.subject] }),
    index('auth_throttles_last_failure_idx').on(t.lastFailureAt),
    check('auth_throttles_scope_valid', oneOf('scope', THROTTLE_SCOPES)),
    check('auth_throttles_failures_nonnegative', sql`${t.failures} >= 0`),
    check('auth_throttles_subject_length', sql`length(${t.subject}) <= 200`),
  ],
);
