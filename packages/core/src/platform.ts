import { type Db, createDb, schema } from '@trueboard/db';
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { Config } from './config';
import { JobQueue, type QueueDb } from './queue';
import { type BlobStorage, LocalBlobStorage } from './storage';

/** Everything a service needs: one per process, shared by the API handlers. */
export interface Platform {
  db: Db;
  sql: postgres.Sql;
  storage: BlobStorage;
  jobs: JobQueue;
  config: Config;
  close(): Promise<void>;
}

export async function createPlatform(config: Config & { databaseUrl: string }, opts: { poolSize?: number } = {}) {
  const { db, sql, close } = createDb(config.databaseUrl, { max: opts.poolSize ?? 10 });
  const jobs = await JobQueue.start(config.databaseUrl);
  const platform: Platform = {
    db,
    sql,
    storage: new LocalBlobStorage(config.artifactsDir),
    jobs,
    config,
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
    const db = drizzle(txSql as unknown as postgres.Sql, { schema }) as unknown as Db;
    const queueDb: QueueDb = {
      async executeSql(text: string, values: unknown[] = []) {
        const rows = await txSql.unsafe(text, values as postgres.ParameterOrJSON<never>[]);
        return { rows: [...rows] };
      },
    };
    return [await fn({ db, queueDb })];
  });
  return out[0] as T;
}
