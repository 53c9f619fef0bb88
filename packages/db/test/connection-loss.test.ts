import { freshDatabase } from '@trueboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/client';

/*
 * postgres.js 3.4.9 batches small writes behind a setImmediate. When a transaction's connection
 * dies mid-query, `begin()` sends its own ROLLBACK on the dead connection, and that deferred write
 * dereferenced the null socket: an uncaught TypeError that took the whole server down (seen when
 * the embedded postmaster was killed under load, issue 10 §4). patches/postgres+3.4.9.patch makes
 * such a write fail its queries with CONNECTION_CLOSED instead (upstream issues #1154, #1208).
 */

let url: string;
let killer: postgres.Sql;
beforeAll(async () => {
  url = await freshDatabase();
  killer = postgres(url, { max: 1, onnotice: () => {} });
});
afterAll(() => killer.end());

describe('a transaction whose connection dies', () => {
  it('rejects with a connection error, and the pool goes on serving queries', async () => {
    const { sql, close } = createDb(url, { max: 2 });
    try {
      for (let round = 0; round < 3; round++) {
        let pid: number | undefined;
        const tx = sql.begin(async (t) => {
          const [row] = await t<{ pid: number }[]>`select pg_backend_pid() as pid`;
          pid = row?.pid;
          await t`select pg_sleep(5)`;
        });
        const outcome = tx.then(
          () => 'committed',
          (e: { code?: string }) => e.code,
        );
        while (pid === undefined) await new Promise((r) => setTimeout(r, 20));
        await killer`select pg_terminate_backend(${pid})`;
        expect(await outcome).toMatch(/^(CONNECTION_CLOSED|57P01)$/);
        // the connection's deferred ROLLBACK ran meanwhile; a query may still meet the dead
        // connection once, but none hangs and the next ones are answered
        const answers = await Promise.all(
          [1, 2, 3, 4].map((n) =>
            sql`select ${n}::int as n`.then(
              () => 'ok',
              (e: { code?: string }) => e.code,
            ),
          ),
        );
        expect(answers.filter((a) => a === 'ok').length).toBeGreaterThanOrEqual(3);
        expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      }
    } finally {
      await close();
    }
  });
});
