import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { dqsName, dqsRewrite } from '../src/exec/dqs';
import { type ExecOutcome, SqlPool } from '../src/exec/index';
import { SPIDER } from './fixture';

const DB = `${SPIDER}/database`;
const CONCERT = `${DB}/concert_singer/concert_singer.sqlite`;
const WORLD = `${DB}/world_1/world_1.sqlite`;
const LIMITS = { timeoutMs: 10_000, maxRows: 1000 };
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

const pool = new SqlPool({ size: 2 });
const scratch = mkdtempSync(join(tmpdir(), 'tb-exec-pool-'));
afterAll(async () => {
  await pool.close();
  rmSync(scratch, { recursive: true, force: true });
});

function failure(o: ExecOutcome) {
  if (o.ok) throw new Error(`expected a failure, got ${o.rows.length} rows`);
  return o;
}

function direct(path: string, sql: string): unknown[][] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], unknown[]>(sql).raw(true).all();
  } finally {
    db.close();
  }
}

describe('SqlPool.execute', () => {
  it('returns columns and typed values: integers and reals as numbers, text, NULL, blobs as bytes', async () => {
    const r = await pool.execute(CONCERT, "SELECT 1, 1.0, '1', NULL, x'00ff', 9007199254740993", LIMITS);
    if (!r.ok) throw new Error(r.message);
    expect(r.columns).toEqual(['1', '1.0', "'1'", 'NULL', "x'00ff'", '9007199254740993']);
    const [row] = r.rows;
    expect(row?.slice(0, 4)).toEqual([1, 1, '1', null]);
    expect(row?.[0]).toBe(row?.[1]); // 1 and 1.0 are the same JS number
    expect(row?.[4]).toBeInstanceOf(Uint8Array);
    expect([...((row?.[4] as Uint8Array) ?? [])]).toEqual([0, 255]);
    // beyond 2^53 the exact integer survives as a bigint
    expect(row?.[5]).toBe(9007199254740993n);
  });

  it('returns the same rows as a direct read-only query', async () => {
    const sql = 'SELECT name, country, age FROM singer ORDER BY singer_id';
    const r = await pool.execute(CONCERT, sql, LIMITS);
    expect(r).toMatchObject({ ok: true, columns: ['Name', 'Country', 'Age'], rows: direct(CONCERT, sql) });
  });

  it('reports SQL errors with SQLite message, and the next query still works', async () => {
    expect(failure(await pool.execute(CONCERT, 'SELECT nope FROM singer', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: 'no such column: nope',
    });
    expect(failure(await pool.execute(CONCERT, 'SELEC 1', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: expect.stringMatching(/syntax error/),
    });
    expect(failure(await pool.execute(CONCERT, 'select', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: 'incomplete input',
    });
    expect(failure(await pool.execute(CONCERT, '  -- nothing', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: expect.stringMatching(/^empty query/),
    });
    expect(failure(await pool.execute(CONCERT, 'SELECT 1; SELECT 2', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: expect.stringMatching(/^multiple statements/),
    });
    expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer;', LIMITS)).toMatchObject({
      ok: true,
      rows: [[6]],
    });
  });

  it('reports a missing database as db_missing and never creates the file', async () => {
    const missing = join(scratch, 'nope', 'nope.sqlite');
    const beside = join(scratch, 'missing.sqlite');
    expect(failure(await pool.execute(missing, 'SELECT 1', LIMITS))).toMatchObject({ error: 'db_missing' });
    expect(failure(await pool.execute(beside, 'SELECT 1', LIMITS))).toMatchObject({
      error: 'db_missing',
      message: expect.stringContaining(beside),
    });
    expect(failure(await pool.execute(scratch, 'SELECT 1', LIMITS))).toMatchObject({ error: 'db_missing' });
    expect(existsSync(missing) || existsSync(beside)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses writes, PRAGMA, ATTACH and load_extension', async () => {
    for (const sql of [
      'DELETE FROM singer',
      'PRAGMA user_version',
      `ATTACH '${join(scratch, 'x.db')}' AS x`,
      "SELECT load_extension('x')",
      'BEGIN',
    ]) {
      expect(failure(await pool.execute(CONCERT, sql, LIMITS)), sql).toMatchObject({ error: 'refused' });
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('caps rows: one past maxRows fails, exactly maxRows passes', async () => {
    const big = await pool.execute(WORLD, 'SELECT * FROM city a, city b', { timeoutMs: 10_000, maxRows: 100 });
    expect(failure(big)).toMatchObject({ error: 'too_many_rows', message: 'the query returns more than 100 rows' });
    expect(await pool.execute(CONCERT, 'SELECT * FROM singer', { timeoutMs: 10_000, maxRows: 6 })).toMatchObject({
      ok: true,
    });
    expect(
      failure(await pool.execute(CONCERT, 'SELECT * FROM singer', { timeoutMs: 10_000, maxRows: 5 })),
    ).toMatchObject({ error: 'too_many_rows' });
  });

  it('runs queued queries in parallel on at most `size` workers, each promise getting its own result', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => pool.execute(CONCERT, `SELECT ${i}, count(*) FROM singer`, LIMITS)),
    );
    expect(results.map((r) => (r.ok ? r.rows : r.message))).toEqual(Array.from({ length: 12 }, (_, i) => [[i, 6]]));
    expect(pool.pids.length).toBeLessThanOrEqual(2);
  });

  it('turns a worker killed from outside into worker_crashed and replaces it', async () => {
    await pool.execute(CONCERT, 'SELECT 1', LIMITS); // a worker is idle, so the next query is dispatched at once
    const crashes = pool.stats.crashes;
    const pending = pool.execute(CONCERT, RUNAWAY, { timeoutMs: 30_000, maxRows: 10 });
    for (const pid of pool.pids) process.kill(pid, 'SIGKILL');
    expect(failure(await pending)).toMatchObject({
      error: 'worker_crashed',
      message: expect.stringMatching(/SIGKILL/),
    });
    expect(pool.stats.crashes).toBe(crashes + 1);
    expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer', LIMITS)).toMatchObject({ ok: true, rows: [[6]] });
  });
});

describe('SqlPool.score', () => {
  it('sends queued examples of a lower priority first, in order among equals (a later evaluation waits)', async () => {
    const one = new SqlPool({ size: 1 });
    try {
      const example = (n: number) => {
        const gold = `SELECT count(*) FROM singer WHERE age > ${n}`;
        return {
          cache: 'priority-test',
          dbPath: CONCERT,
          maxRows: 1000,
          maxBytes: 1024 * 1024,
          goldTimeoutMs: 10_000,
          timeoutMs: 10_000,
          gold,
          goldSpider: gold,
          pred: gold,
          predSpider: gold,
        };
      };
      const order: string[] = [];
      const queue = (label: string, n: number, priority: number) =>
        one.score(example(n), undefined, priority).then((r) => {
          expect(r.ok).toBe(true);
          order.push(label);
        });
      // queued in one turn, the later evaluation's examples (2) first
      await Promise.all([
        queue('b1', 1, 2),
        queue('b2', 2, 2),
        queue('b3', 3, 2),
        queue('a1', 4, 1),
        queue('a2', 5, 1),
        queue('a3', 6, 1),
      ]);
      expect(order).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    } finally {
      await one.close();
    }
  });
});

describe('SqlPool.time', () => {
  it('returns one wall time per repetition', async () => {
    const r = await pool.time(WORLD, 'SELECT count(*) FROM city', 5, LIMITS);
    if (!r.ok) throw new Error(r.message);
    expect(r.times).toHaveLength(5);
    for (const t of r.times) expect(t).toBeGreaterThanOrEqual(0);
  });

  it('fails like execute does', async () => {
    expect(await pool.time(WORLD, 'DROP TABLE city', 3, LIMITS)).toMatchObject({ ok: false, error: 'refused' });
    expect(await pool.time(WORLD, 'SELECT * FROM city', 3, { timeoutMs: 10_000, maxRows: 10 })).toMatchObject({
      ok: false,
      error: 'too_many_rows',
    });
    expect(() => pool.time(WORLD, 'SELECT 1', 0, LIMITS)).toThrow(RangeError);
    expect(() => pool.execute(WORLD, 'SELECT 1', { timeoutMs: 0, maxRows: 1 })).toThrow(/timeoutMs/);
    expect(() => pool.execute(WORLD, 'SELECT 1', { timeoutMs: 1000, maxRows: -1 })).toThrow(/maxRows/);
  });
});

describe('SqlPool.close', () => {
  it('fails queued and running queries and refuses new ones', async () => {
    const small = new SqlPool({ size: 1 });
    const running = small.execute(CONCERT, RUNAWAY, { timeoutMs: 30_000, maxRows: 10 });
    const queued = small.execute(CONCERT, 'SELECT 1', LIMITS);
    await small.close();
    expect(await running).toMatchObject({
      ok: false,
      error: 'worker_crashed',
      message: expect.stringMatching(/closed/),
    });
    expect(await queued).toMatchObject({
      ok: false,
      error: 'worker_crashed',
      message: expect.stringMatching(/closed/),
    });
    expect(small.pids).toEqual([]);
    expect(() => small.execute(CONCERT, 'SELECT 1', LIMITS)).toThrow(/closed/);
  });
});

describe('double-quoted strings (SQLite DQS fallback, as stock builds and the reference evaluators have it)', () => {
  it('reads an unresolvable "word" as a string, and a resolvable one as a column', async () => {
    // Spider gold queries are written this way: 4 French singers (Justin Brown, Rose White, John Nizinik, Tribal King)
    expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer WHERE country = "France"', LIMITS)).toMatchObject({
      ok: true,
      rows: [[4]],
    });
    expect(
      await pool.execute(CONCERT, 'SELECT "Name" FROM singer WHERE "Country" = "Netherlands" AND "Age" > "40"', LIMITS),
    ).toMatchObject({ ok: true, rows: [['Joe Sharp']] });
    // a misspelt column in double quotes is a string to stock SQLite too: no country equals 'Countryy'
    expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer WHERE "Countryy" = Country', LIMITS)).toMatchObject(
      { ok: true, rows: [[0]] },
    );
    // a bare misspelt column is still an error
    expect(failure(await pool.execute(CONCERT, 'SELECT Countryy FROM singer', LIMITS))).toMatchObject({
      error: 'sql_error',
      message: 'no such column: Countryy',
    });
  });
});

describe('dqsRewrite', () => {
  it('rewrites only the named double-quoted token, never text in strings or comments', () => {
    expect(dqsRewrite(`SELECT 1 WHERE a = "x" -- "y"`, 'y')).toBeNull();
    expect(dqsRewrite(`SELECT '"y"', "y"`, 'y')).toBe(`SELECT '"y"', 'y'`);
    expect(dqsRewrite(`SELECT "it's" /* "it's" */`, "it's")).toBe(`SELECT 'it''s' /* "it's" */`);
    expect(dqsRewrite(`SELECT "say ""hi"""`, 'say "hi"')).toBe(`SELECT 'say "hi"'`);
    expect(dqsName('no such column: "France" - should this be a string literal in single-quotes?')).toBe('France');
    expect(dqsName('no such column: France')).toBeNull();
  });
});
