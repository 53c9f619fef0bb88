import { performance } from 'node:perf_hooks';
import { afterAll, expect, it } from 'vitest';
import { SqlPool } from '../src/exec/index';
import { SPIDER } from './fixture';

const CONCERT = `${SPIDER}/database/concert_singer/concert_singer.sqlite`;
const WORLD = `${SPIDER}/database/world_1/world_1.sqlite`;
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

const pool = new SqlPool({ size: 1 });
afterAll(() => pool.close());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ESRCH') return false;
    throw err;
  }
}

it('kills the worker running a runaway query, reports a timeout, and replaces the worker', async () => {
  expect(await pool.execute(CONCERT, 'SELECT 1', { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({ ok: true });
  const [pid] = pool.pids;
  if (pid === undefined) throw new Error('no worker');

  const started = performance.now();
  const r = await pool.execute(CONCERT, RUNAWAY, { timeoutMs: 1000, maxRows: 10 });
  // a correctness bound, not a benchmark: the query must be stopped, not left to finish in minutes
  expect(performance.now() - started).toBeLessThan(2000);
  expect(r).toMatchObject({ ok: false, error: 'timeout', message: expect.stringMatching(/1000 ms/) });
  // the process that ran it is gone (reaped, so no zombie either): SQLite stopped for real
  expect(alive(pid)).toBe(false);
  expect(pool.stats.kills).toBe(1);

  expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer', { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({
    ok: true,
    rows: [[6]],
  });
  expect(pool.pids).toHaveLength(1);
  expect(pool.pids[0]).not.toBe(pid);
});

it('applies the timeout to each repetition of a timed query', async () => {
  // each repetition well inside the budget, all of them together about twice over it: the budget
  // restarts after every finished repetition (sized from one measured run, so any machine fits)
  const sql = 'SELECT count(*) FROM city a, countrylanguage b';
  const one = await pool.time(WORLD, sql, 1, { timeoutMs: 10_000, maxRows: 10 });
  if (!one.ok) throw new Error(one.message);
  const lap = Math.max(1, one.times[0] ?? 1);
  const timeoutMs = Math.max(200, 4 * lap);
  const repeat = Math.ceil((2 * timeoutMs) / lap);
  const quick = await pool.time(WORLD, sql, repeat, { timeoutMs, maxRows: 10 });
  if (!quick.ok) throw new Error(quick.message);
  expect(quick.times).toHaveLength(repeat);
  const runaway = await pool.time(CONCERT, RUNAWAY, 3, { timeoutMs: 500, maxRows: 10 });
  expect(runaway).toMatchObject({ ok: false, error: 'timeout' });
});

it('times out only the runaway query of a busy batch, once, on its own budget; the queries around it get their own results', async () => {
  const busy = new SqlPool({ size: 1 });
  try {
    const limits = { timeoutMs: 10_000, maxRows: 10 };
    await busy.execute(CONCERT, 'SELECT 1', limits); // a ready worker, so the next ones go in one batch
    const started = performance.now();
    const jobs = Array.from({ length: 20 }, (_, i) =>
      i === 10
        ? busy.execute(CONCERT, RUNAWAY, { timeoutMs: 700, maxRows: 10 })
        : busy.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, limits),
    );
    const results = await Promise.all(jobs);
    results.forEach((r, i) => {
      if (i === 10) expect(r).toMatchObject({ ok: false, error: 'timeout', message: expect.stringMatching(/700 ms/) });
      else expect(r).toMatchObject({ ok: true, rows: [[i, 6]] });
    });
    // one kill: the worker said which query it was running (its start marker), so the queries it
    // finished or never started just ran again elsewhere, and the runaway did not run twice
    expect(busy.stats.kills).toBe(1);
    // the runaway's clock started when it did, not when its batch was sent, and its own 700 ms
    // budget ended it, not the 10 s of the queries before it (a correctness bound, not a benchmark)
    expect(results[10]?.ms).toBeLessThan(10_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  } finally {
    await busy.close();
  }
});

it('charges a timed-out query only its own time when it ran behind slower queries of its batch', async () => {
  const busy = new SqlPool({ size: 1 });
  try {
    const slow = 'SELECT count(*) FROM city a, countrylanguage b WHERE a.ID % 7 = b.Percentage % 7';
    const one = await busy.execute(WORLD, slow, { timeoutMs: 30_000, maxRows: 10 });
    if (!one.ok) throw new Error(one.message);
    // fewer than the worker answers at once (16), so their answers are still with it when the
    // runaway starts: only its start marker tells the pool that the runaway is what runs
    const ahead = Math.min(15, Math.max(3, Math.ceil(1000 / Math.max(1, one.ms))));
    const jobs = [
      ...Array.from({ length: ahead }, () => busy.execute(WORLD, slow, { timeoutMs: 30_000, maxRows: 10 })),
      busy.execute(CONCERT, RUNAWAY, { timeoutMs: 500, maxRows: 10 }),
    ];
    const results = await Promise.all(jobs);
    for (const r of results.slice(0, -1)) expect(r).toMatchObject({ ok: true, rows: one.rows });
    const runaway = results.at(-1);
    expect(runaway).toMatchObject({ ok: false, error: 'timeout', message: expect.stringMatching(/500 ms/) });
    // stopped once, on its own 500 ms from its own start, not on the 30 s of the queries before it
    // (and not run again alone to find out which query of the batch it was)
    expect(busy.stats.kills).toBe(1);
    expect(runaway?.ms).toBeLessThan(30_000);
  } finally {
    await busy.close();
  }
});

it('hands the queries waiting behind a runaway to another worker instead of holding them until its timeout', async () => {
  const pool = new SqlPool({ size: 2 });
  try {
    const limits = { timeoutMs: 10_000, maxRows: 10 };
    await Promise.all([pool.execute(CONCERT, 'SELECT 1', limits), pool.execute(CONCERT, 'SELECT 2', limits)]);
    const started = performance.now();
    // the runaway goes to an idle worker first; the queries queued with it fill both lines
    const runaway = pool.execute(CONCERT, RUNAWAY, limits);
    const answeredAt: number[] = [];
    const rest = Array.from({ length: 20 }, (_, i) =>
      pool.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, limits).then((r) => {
        answeredAt.push(performance.now() - started);
        return r;
      }),
    );
    const results = await Promise.all(rest);
    for (const [i, r] of results.entries()) expect(r).toMatchObject({ ok: true, rows: [[i, 6]] });
    expect(pool.stats.handedOff).toBeGreaterThan(0);
    // every one answered long before the runaway's 10 s are up (a correctness bound, not a benchmark)
    expect(Math.max(...answeredAt)).toBeLessThan(5_000);
    expect(await runaway).toMatchObject({ ok: false, error: 'timeout', message: expect.stringMatching(/10000 ms/) });
    expect(pool.stats.kills).toBe(1);
  } finally {
    await pool.close();
  }
});
