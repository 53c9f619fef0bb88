import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ExecError, SqlPool } from '../src/exec/index';
import { SPIDER } from './fixture';

const SPIDER_DB = `${SPIDER}/database`;

/** database → a table in it, one of its columns, and a normal query */
const DBS = {
  concert_singer: {
    table: 'singer',
    column: 'Name',
    check: 'SELECT Name, Age FROM singer WHERE Age > 30 ORDER BY Age',
  },
  pets_1: {
    table: 'Pets',
    column: 'PetType',
    check: 'SELECT PetType, count(*) FROM Pets GROUP BY PetType ORDER BY PetType',
  },
  world_1: {
    table: 'city',
    column: 'Name',
    check: "SELECT Name, Population FROM city WHERE CountryCode = 'NLD' ORDER BY Population DESC",
  },
} as const;

const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

/** Statements a hostile (or careless) prediction might hold, and how each must fail. */
function battery(t: string, col: string, dir: string): [string, ExecError][] {
  // 4079 cities: a cross join of three has 68 billion rows
  return [
    [`DROP TABLE ${t}`, 'refused'],
    [`DELETE FROM ${t}`, 'refused'],
    [`UPDATE ${t} SET rowid = rowid + 1000`, 'refused'],
    [`INSERT INTO ${t} DEFAULT VALUES`, 'refused'],
    [`REPLACE INTO ${t} SELECT * FROM ${t}`, 'refused'],
    [`WITH x AS (SELECT 1) DELETE FROM ${t}`, 'refused'],
    ['CREATE TABLE evil (x)', 'refused'],
    [`CREATE INDEX evil ON ${t} (${col})`, 'refused'],
    [`ALTER TABLE ${t} ADD COLUMN evil`, 'refused'],
    [`CREATE TRIGGER evil AFTER INSERT ON ${t} BEGIN SELECT 1; END`, 'refused'],
    ['CREATE TEMP TABLE evil (x)', 'refused'],
    [`CREATE TEMP VIEW evil AS SELECT * FROM ${t}`, 'refused'],
    [`ATTACH '${join(dir, 'attached.db')}' AS evil`, 'refused'],
    ["ATTACH ':memory:' AS evil", 'refused'],
    ['DETACH main', 'refused'],
    ['PRAGMA writable_schema=1', 'refused'],
    ['PRAGMA journal_mode=WAL', 'refused'],
    ['PRAGMA user_version = 7', 'refused'],
    ['PRAGMA table_info(x)', 'refused'],
    ['VACUUM', 'refused'],
    [`VACUUM INTO '${join(dir, 'vacuumed.db')}'`, 'refused'],
    ['ANALYZE', 'refused'],
    ['REINDEX', 'refused'],
    ['BEGIN EXCLUSIVE', 'refused'],
    [`SELECT load_extension('${join(dir, 'evil.so')}')`, 'refused'],
    [`SELECT * FROM ${t}; DROP TABLE ${t}`, 'sql_error'],
    [`SELECT 1; ATTACH '${join(dir, 'attached2.db')}' AS evil`, 'sql_error'],
    [RUNAWAY, 'timeout'],
    ['SELECT count(*) FROM city a, city b, city c', t === 'city' ? 'timeout' : 'sql_error'],
    ['SELECT * FROM city a, city b, city c', t === 'city' ? 'too_many_rows' : 'sql_error'],
    [
      `SELECT * FROM ${t}, (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n) SELECT x FROM n)`,
      'too_many_rows',
    ],
  ];
}

let dir = '';
const pool = new SqlPool({ size: 3 });

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out.set(path, entry.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'dir');
  }
  return out;
}

const dbFile = (db: string) => join(dir, db, `${db}.sqlite`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tb-exec-hostile-'));
  for (const db of Object.keys(DBS)) {
    mkdirSync(join(dir, db));
    copyFileSync(join(SPIDER_DB, db, `${db}.sqlite`), dbFile(db));
  }
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

it('refuses or fails every hostile statement and leaves the databases byte-identical', async () => {
  const before = snapshot(dir);
  expect(before.size).toBe(2 * Object.keys(DBS).length);

  const runs = Object.entries(DBS).flatMap(([db, { table, column }]) =>
    battery(table, column, dir).map(async ([sql, expected]) => {
      const r = await pool.execute(dbFile(db), sql, { timeoutMs: 1000, maxRows: 10_000 });
      return { db, sql, expected, got: r.ok ? 'ok' : r.error, message: r.ok ? '' : r.message };
    }),
  );
  const results = await Promise.all(runs);
  const wrong = results.filter((r) => r.got !== r.expected);
  expect(wrong).toEqual([]);

  expect(snapshot(dir)).toEqual(before);
  // the runaway queries were stopped by killing their workers, once each: the start markers say
  // which query of a batch was running, so none has to run again alone to be told apart
  const timeouts = results.filter((r) => r.got === 'timeout').length;
  expect(timeouts).toBe(4);
  expect(pool.stats.kills).toBe(timeouts);

  // and the pool still answers normal questions correctly
  for (const [db, { check }] of Object.entries(DBS)) {
    const direct = new Database(dbFile(db), { readonly: true, fileMustExist: true });
    const expected = direct.prepare<[], unknown[]>(check).raw(true).all();
    direct.close();
    expect(expected.length).toBeGreaterThan(0);
    expect(await pool.execute(dbFile(db), check, { timeoutMs: 5000, maxRows: 10_000 })).toMatchObject({
      ok: true,
      rows: expected,
    });
  }
  expect(snapshot(dir)).toEqual(before);
});
