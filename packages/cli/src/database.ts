import { type EmbeddedServer, startEmbeddedPostgres, withDatabase } from '@trueboard/db/embedded';
import { superviseEmbeddedPostgres } from '@trueboard/db/supervisor';
import postgres from 'postgres';

export interface DatabaseHandle {
  url: string;
  embedded: Pick<EmbeddedServer, 'url' | 'port' | 'created'> | null;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when given (nothing is started); otherwise the embedded PostgreSQL in
 * `<dataDir>/pg`, created on first use and reused afterwards, with a `trueboard` database.
 * With `supervise`, a crashed embedded server is restarted (see superviseEmbeddedPostgres) and
 * each crash and restart is reported there.
 */
export async function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  opts: { supervise?: (message: string) => void } = {},
): Promise<DatabaseHandle> {
  if (databaseUrl) return { url: databaseUrl, embedded: null, stop: async () => {} };
  const embedded = opts.supervise
    ? await superviseEmbeddedPostgres({ dataDir, log: opts.supervise })
    : await startEmbeddedPostgres({ dataDir });
  const admin = postgres(embedded.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = 'trueboard'`;
    if (rows.length === 0) await admin.unsafe('CREATE DATABASE trueboard');
  } finally {
    await admin.end();
  }
  return { url: withDatabase(embedded.url, 'trueboard'), embedded, stop: () => embedded.stop() };
}
