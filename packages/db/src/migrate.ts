import { fileURLToPath } from 'node:url';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import { createDb } from './client';

export const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Applies the committed SQL migrations; already-applied ones are skipped, so it is idempotent. */
export async function migrate(url: string): Promise<void> {
  const { db, sql, close } = createDb(url, { max: 1, applicationName: 'trueboard-migrate' });
  try {
    // serialise concurrent migrators (two `trueboard start` on one database)
    await sql`select pg_advisory_lock(7219001)`;
    await drizzleMigrate(db, { migrationsFolder });
  } finally {
    await close();
  }
}
