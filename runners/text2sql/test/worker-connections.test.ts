import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { SqlPool } from '../src/exec/index';
import { SPIDER } from './fixture';

/*
 * A worker keeps the databases of a benchmark open between queries: Spider dev's examples come in
 * runs of one database, three systems at once interleave them, and each reopen parses the schema
 * again with a cold page cache. Seen from /proc: which .sqlite files the worker process holds open.
 */

const DATABASES = ['concert_singer', 'pets_1', 'car_1', 'flight_2', 'world_1', 'singer', 'orchestra', 'poker_player'];
const LIMITS = { timeoutMs: 10_000, maxRows: 1000 };
const pool = new SqlPool({ size: 1 });
afterAll(() => pool.close());

/** The .sqlite files a process has open, by name. */
function openDatabases(pid: number): string[] {
  const fds = readdirSync(`/proc/${pid}/fd`);
  const files = fds.flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed meanwhile
    }
  });
  return files.filter((f) => f.endsWith('.sqlite')).map((f) => f.replace(/^.*\//, '').replace(/\.sqlite$/, ''));
}

it.runIf(process.platform === 'linux')('keeps every database it queried open, for the queries to come', async () => {
  for (let round = 0; round < 2; round++) {
    for (const db of DATABASES) {
      const r = await pool.execute(
        `${SPIDER}/database/${db}/${db}.sqlite`,
        'SELECT count(*) FROM sqlite_master',
        LIMITS,
      );
      expect(r.ok).toBe(true);
    }
  }
  const [pid] = pool.pids;
  if (pid === undefined) throw new Error('the pool has no worker');
  expect(openDatabases(pid).sort()).toEqual([...DATABASES].sort());
});
