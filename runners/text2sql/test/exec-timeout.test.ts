import { fileURLToPath } from 'node:url';
import { killParentMidWork, processAlive } from '@trueboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlPool } from '../src/exec/index';
import { type Job, type JobReply, Line } from '../src/exec/worker-line';
import { SPIDER } from './fixture';

/*
 * Timeouts, asserted by what happened (which query failed, with which reason, which worker was
 * killed, who answered), never by how long it took: timing belongs to the benches. A runaway that
 * is never stopped shows up as this file's test timeout.
 */

const HOLD = fileURLToPath(new URL('./hold-runaway-query.ts', import.meta.url));
const CONCERT = `${SPIDER}/database/concert_singer/concert_singer.sqlite`;
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
const killed = (ms: number) => `timed out after ${ms} ms; the worker running it was killed`;

const pool = new SqlPool({ size: 1 });
afterAll(() => pool.close());

it('kills the worker running a runaway query, reports a timeout with the reason, and replaces the worker', async () => {
  expect(await pool.execute(CONCERT, 'SELECT 1', { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({ ok: true });
  const [pid] = pool.pids;
  if (pid === undefined) throw new Error('no worker');

  const r = await pool.execute(CONCERT, RUNAWAY, { timeoutMs: 1000, maxRows: 10 });
  expect(r).toMatchObject({ ok: false, error: 'timeout', message: killed(1000) });
  // the process that ran it is gone (reaped, so no zombie either): SQLite stopped for real
  expect(processAlive(pid)).toBe(false);
  expect(pool.stats).toMatchObject({ kills: 1, crashes: 0 });

  expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer', { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({
    ok: true,
    rows: [[6]],
  });
  expect(pool.pids).toHaveLength(1);
  expect(pool.pids[0]).not.toBe(pid);
});

it('leaves no worker running a runaway query when its parent is killed (kill -9)', async () => {
  // the runaway has started (the worker's one thread is inside SQLite) when the stand-in is killed
  await killParentMidWork(HOLD, [CONCERT, RUNAWAY], 'SQL worker');
});

it('kills a timed (R-VES) query that runs away in a repetition, with the reason, and answers the next query', async () => {
  const before = pool.stats.kills;
  const runaway = await pool.time(CONCERT, RUNAWAY, 3, { timeoutMs: 500, maxRows: 10 });
  expect(runaway).toMatchObject({ ok: false, error: 'timeout', message: killed(500) });
  expect(pool.stats.kills).toBe(before + 1);
  expect(await pool.time(CONCERT, 'SELECT count(*) FROM singer', 3, { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({
    ok: true,
    times: [expect.any(Number), expect.any(Number), expect.any(Number)],
  });
});

/*
 * Whether a timed query's budget applies to each repetition or to all of them together depends on
 * when the laps arrive, so it is checked on the pool's bookkeeping (worker-line.ts) with the
 * clock values given explicitly: the same calls SqlPool makes, with no real time involved.
 */
describe("a worker's line (the pool's bookkeeping), on explicit clock values", () => {
  /** a job as SqlPool queues it: a timed one ends with `timed`, a query with its `result` */
  function job(kind: 'time' | 'execute', timeoutMs: number): Job {
    return {
      request: { kind, dbPath: CONCERT, sql: 'SELECT 1', maxRows: 10, maxBytes: 1024, repeat: kind === 'time' ? 3 : 1 },
      timeoutMs,
      solo: kind === 'time',
      onReply: (reply: JobReply) => reply.type === (kind === 'time' ? 'timed' : 'result'),
      fail: () => {},
    };
  }

  it("restarts a timed job's budget at every lap, so repetitions together may run past one budget", () => {
    const line = new Line();
    line.solo = true;
    line.jobs.push({ id: 1, job: job('time', 100), started: 0, marked: false });
    expect(line.deadline()).toBe(100);
    expect(line.mark(1, 5, 6)).toBe(true);
    expect(line.deadline()).toBe(105);
    // three repetitions of 90 ms each: 270 ms in all, each inside its own 100 ms
    line.answer([{ type: 'lap', id: 1, ms: 90 }], 95);
    expect(line.deadline()).toBe(195);
    line.answer([{ type: 'lap', id: 1, ms: 90 }], 185);
    expect(line.deadline()).toBe(285);
    line.answer([{ type: 'lap', id: 1, ms: 90 }], 275);
    expect(line.deadline()).toBe(375);
    line.answer([{ type: 'timed', id: 1, failure: null }], 276);
    expect(line.jobs).toEqual([]);
    expect(line.deadline()).toBe(Number.POSITIVE_INFINITY);
    expect(line.solo).toBe(false);
  });

  it("starts a job's clock at its own start marker, or when the job before it was answered, not at dispatch", () => {
    const line = new Line();
    line.jobs.push(
      { id: 1, job: job('execute', 100), started: 0, marked: false },
      { id: 2, job: job('execute', 100), started: 0, marked: false },
      { id: 3, job: job('execute', 100), started: 0, marked: false },
    );
    // job 1's answer arrives at 400: job 2 (no marker yet) is taken to have started then
    line.answer([{ type: 'result', id: 1, outcome: { ok: true, columns: [], rows: [], bytes: 0, ms: 1 } }], 400);
    expect(line.deadline()).toBe(500);
    // job 3's marker says it started at 450, job 2 being done: job 3 runs, on its own budget
    expect(line.mark(3, 450, 460)).toBe(true);
    expect(line.running()?.id).toBe(3);
    expect(line.deadline()).toBe(550);
    // a marker is never taken to be later than its arrival
    expect(line.mark(3, 470, 455)).toBe(true);
    expect(line.deadline()).toBe(555);
  });

  it('charges a killed repetition its own time since the last lap, with the timeout reason', () => {
    const line = new Line();
    const timed = job('time', 100);
    line.jobs.push({ id: 1, job: timed, started: 0, marked: false });
    line.mark(1, 0, 0);
    line.answer([{ type: 'lap', id: 1, ms: 90 }], 90);
    line.timedOut = true;
    line.killedAt = 190;
    const { again, failed } = line.afterDeath('killed', { now: 195, memoryMb: 512, why: 'SIGKILL' });
    expect(again).toEqual([]);
    expect(failed?.job).toBe(timed);
    expect(failed?.failure).toEqual({ ok: false, error: 'timeout', message: killed(100), ms: 100 });
  });
});

it('times out only the runaway query of a busy batch, once, on its own budget; the queries around it get their own results', async () => {
  const busy = new SqlPool({ size: 1 });
  try {
    const limits = { timeoutMs: 10_000, maxRows: 10 };
    await busy.execute(CONCERT, 'SELECT 1', limits); // a ready worker, so the next ones go in one batch
    const jobs = Array.from({ length: 20 }, (_, i) =>
      i === 10
        ? busy.execute(CONCERT, RUNAWAY, { timeoutMs: 700, maxRows: 10 })
        : busy.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, limits),
    );
    const results = await Promise.all(jobs);
    // the runaway failed with its own 700 ms budget (not the 10 s of the queries before it, which
    // its worker had finished without answering yet: the start marker said what was running)
    results.forEach((r, i) => {
      if (i === 10) expect(r).toMatchObject({ ok: false, error: 'timeout', message: killed(700) });
      else expect(r).toMatchObject({ ok: true, rows: [[i, 6]] });
    });
    // one kill: the queries it finished or never started just ran again elsewhere, and the
    // runaway did not run twice
    expect(busy.stats).toMatchObject({ kills: 1, crashes: 0, executions: 21 });
  } finally {
    await busy.close();
  }
});

it('charges the runaway, not the queries before it in its batch, although theirs are the shorter budgets', async () => {
  const busy = new SqlPool({ size: 1 });
  try {
    await busy.execute(CONCERT, 'SELECT 1', { timeoutMs: 10_000, maxRows: 10 });
    // fewer than the worker answers at once (16), and each far quicker than the 50 ms after which
    // it answers at once: their answers are still with the worker while the runaway runs, and only
    // its start marker tells the pool that the runaway, with its own budget, is what runs. The
    // earlier queries' budget ends first: a pool that took the head of the batch for the running
    // query would kill the worker then and charge that query
    const jobs = [
      ...Array.from({ length: 5 }, (_, i) =>
        busy.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, { timeoutMs: 2000, maxRows: 10 }),
      ),
      busy.execute(CONCERT, RUNAWAY, { timeoutMs: 4000, maxRows: 10 }),
    ];
    const results = await Promise.all(jobs);
    for (const [i, r] of results.slice(0, -1).entries()) expect(r).toMatchObject({ ok: true, rows: [[i, 6]] });
    expect(results.at(-1)).toMatchObject({ ok: false, error: 'timeout', message: killed(4000) });
    // stopped once (not run again alone to find out which query it was)
    expect(busy.stats).toMatchObject({ kills: 1, crashes: 0 });
  } finally {
    await busy.close();
  }
});

it('hands the queries waiting behind a runaway to another worker: all are answered before the runaway times out', async () => {
  const pool = new SqlPool({ size: 2 });
  try {
    const limits = { timeoutMs: 10_000, maxRows: 10 };
    await Promise.all([pool.execute(CONCERT, 'SELECT 1', limits), pool.execute(CONCERT, 'SELECT 2', limits)]);
    // the runaway goes to an idle worker first; the queries queued with it fill both lines
    let runawaySettled = false;
    const runaway = pool.execute(CONCERT, RUNAWAY, limits).then((r) => {
      runawaySettled = true;
      return r;
    });
    const answeredBeforeRunaway: boolean[] = [];
    const rest = Array.from({ length: 20 }, (_, i) =>
      pool.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, limits).then((r) => {
        answeredBeforeRunaway[i] = !runawaySettled;
        return r;
      }),
    );
    const results = await Promise.all(rest);
    for (const [i, r] of results.entries()) expect(r).toMatchObject({ ok: true, rows: [[i, 6]] });
    // none of them waited for the runaway's kill, and some had been waiting behind it
    expect(answeredBeforeRunaway).toEqual(Array.from({ length: 20 }, () => true));
    expect(pool.stats.handedOff).toBeGreaterThan(0);
    expect(await runaway).toMatchObject({ ok: false, error: 'timeout', message: killed(10_000) });
    expect(pool.stats).toMatchObject({ kills: 1, crashes: 0 });
  } finally {
    await pool.close();
  }
});
