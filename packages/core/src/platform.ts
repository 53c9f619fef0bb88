import { chmodSync, existsSync } from 'node:fs';
import type { FamilyRegistry } from '@trueboard/contracts';
import { createDb, type Db, schema } from '@trueboard/db';
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { Config } from './config';
import { noFamilies } from './families';
import { JobQueue, type QueueDb } from './queue';
import { type BlobStorage, LocalBlobStorage } from './storage';

/** Everything a service needs: one per process, shared by the API handlers. */
export interface Platform {
  db: Db;
  sql: postgres.Sql;
  storage: BlobStorage;
  jobs: JobQueue;
  config: Config;
  /** every family's module (packages/families), passed in by the process: core never imports a family */
  families: FamilyRegistry;
  /** ids of the benchmarks bundled with this installation: only the bundled import may register them */
  reservedBenchmarkIds?: ReadonlySet<string>;
  close(): Promise<void>;
}

export async function createPlatform(
  config: Config & { databaseUrl: string },
  opts: {
    poolSize?: number;
    /** the family registry; without it no family is installed (no codecs, facets or triage signals) */
    families?: FamilyRegistry;
    reservedBenchmarkIds?: Iterable<string>;
  } = {},
) {
  // blobs may be private: an artifact store made before files were 0600 becomes owner-only here
  try {
    if (existsSync(config.artifactsDir)) chmodSync(config.artifactsDir, 0o700);
  } catch {
    // not ours to change (a shared mount): its owner decides
  }
  const { db, sql, close } = createDb(config.databaseUrl, { max: opts.poolSize ?? 10 });
  const jobs = await JobQueue.start(config.databaseUrl);
  const platform: Platform = {
    db,
    sql,
    storage: new LocalBlobStorage(config.artifactsDir),
    jobs,
    config,
    families: opts.families ?? noFamilies(),
    reservedBenchmarkIds: new Set(opts.reservedBenchmarkIds ?? []),
    async close() {
      await jobs.stop();
      await close();
    },
  };
  return platform;
}

export interface TxContext {
  db: Db;
  /** pass to pg-boss calls so queue changes commit or roll back with ours */
  queueDb: QueueDb;
}

/** Runs `fn` in one transaction spanning our tables and the pg-boss queue. */
export async function transact<T>(p: Platform, fn: (tx: TxContext) => Promise<T>): Promise<T> {
  const out = await p.sql.begin(async (txSql) => {
    // drizzle reads the driver's type parsers from `options`, which transaction handles lack
    const client = Object.assign(txSql, { options: p.sql.options }) as unknown as postgres.Sql;
    const db = drizzle(client, { schema }) as unknown as Db;
    const queueDb: QueueDb = {
      async executeSql(text: string, values: unknown[] = []) {
        // pg-boss (written for node-postgres) passes undefined for absent options
        // and plain objects for json columns, which node-postgres serialises itself
        const params = values.map((v) =>
          v === undefined
            ? null
            : v !== null && typeof v === 'object' && v.constructor === Object
              ? JSON.stringify(v)
              : v,
        ) as postgres.ParameterOrJSON<never>[];
        const rows = await txSql.unsafe(text, params);
        return { rows: [...rows] };
      },
    };
    return [await fn({ db, queueDb })];
  });
  return out[0] as T;
}
