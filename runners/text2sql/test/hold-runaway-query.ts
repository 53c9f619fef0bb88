/**
 * Run by exec-timeout.test.ts as a stand-in parent (a CLI or runner): starts a one-worker SQL pool,
 * prints its worker's pid, and sends it a query that never ends, then waits to be killed.
 */
import { SqlPool } from '../src/exec/index';

const [db, sql] = process.argv.slice(2);
if (!db || !sql) throw new Error('usage: hold-runaway-query.ts <database> <sql>');
const pool = new SqlPool({ size: 1 });
await pool.execute(db, 'SELECT 1', { timeoutMs: 60_000, maxRows: 1 });
process.stdout.write(`${pool.pids[0]}\n`);
await pool.execute(db, sql, { timeoutMs: 600_000, maxRows: 1 });
