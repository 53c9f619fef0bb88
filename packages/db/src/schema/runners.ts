import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { createdAt, id, oneOf, ts } from './columns';

export const DEVICES = ['cpu', 'cuda'] as const;

/** Tokens runner processes authenticate with; platform-wide, minted by platform admins. */
export const runnerTokens = pgTable('runner_tokens', {
  id: id(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: createdAt(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

/** A runner process, registered when it connects. */
export const runners = pgTable(
  'runners',
  {
    id: id(),
    tokenId: uuid('token_id')
      .notNull()
      .references(() => runnerTokens.id, { onDelete: 'cascade' }),
    hostname: text('hostname').notNull(),
    device: text('device').notNull(),
    families: text('families').array().notNull(),
    version: text('version').notNull(),
    startedAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    stoppedAt: ts('stopped_at'),
  },
  (t) => [
    check('runners_device_valid', oneOf('device', DEVICES)),
    index('runners_last_seen_idx').on(t.lastSeenAt),
    check('runners_families_nonempty', sql`cardinality(${t.families}) > 0`),
  ],
);
