import { sql } from 'drizzle-orm';
import { bigint, check, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/** Content-addressed blobs (submission artifacts and dataset files): one row per sha256. */
export const artifacts = pgTable(
  'artifacts',
  {
    sha256: text('sha256').primaryKey(),
    size: bigint('size', { mode: 'number' }).notNull(),
    mediaType: text('media_type').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('artifacts_sha256_shape', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check('artifacts_size_nonnegative', sql`${t.size} >= 0`),
  ],
);
