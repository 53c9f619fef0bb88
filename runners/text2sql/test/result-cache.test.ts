import { describe, expect, it } from 'vitest';
import type { ExecOutcome } from '../src/exec/index';
import { QueryCache } from '../src/exec/query-cache';
import { isDeterministic, ResultCache } from '../src/result-cache';

// 1 byte of column name + 8 of number (exec/limits.ts)
const ok = (n: number): ExecOutcome => ({ ok: true, columns: ['x'], rows: [[n]], bytes: 9, ms: 1 });
const caps = { maxRows: 10, maxBytes: 1000 };

describe('isDeterministic', () => {
  it('flags the clock and randomness, and is not fooled by literals or identifiers', () => {
    expect(isDeterministic('SELECT name FROM singer')).toBe(true);
    expect(isDeterministic('SELECT random()')).toBe(false);
    expect(isDeterministic('SELECT * FROM t ORDER BY RANDOM() LIMIT 1')).toBe(false);
    expect(isDeterministic("SELECT date('now')")).toBe(false);
    expect(isDeterministic("SELECT julianday( 'NOW' ) - julianday(born) FROM p")).toBe(false);
    expect(isDeterministic('SELECT CURRENT_TIMESTAMP')).toBe(false);
    expect(isDeterministic("SELECT date('2020-01-01', '+1 day')")).toBe(true);
    // a string that merely mentions random is data, not a call
    expect(isDeterministic("SELECT * FROM t WHERE name = 'random'")).toBe(true);
  });
});

describe('ResultCache', () => {
  it('runs a query once, sharing the result while it is still running', async () => {
    const cache = new ResultCache('h');
    let runs = 0;
    const run = async () => {
      runs++;
      return ok(1);
    };
    const [a, b] = await Promise.all([cache.get('db', 'SELECT 1', caps, run), cache.get('db', 'SELECT 1', caps, run)]);
    expect(a).toBe(b);
    expect(await cache.get('db', 'SELECT 1', caps, run)).toBe(a);
    expect(runs).toBe(1);
    // another database, row cap, byte cap or dataset is another query
    await cache.get('db2', 'SELECT 1', caps, run);
    await cache.get('db', 'SELECT 1', { ...caps, maxRows: 11 }, run);
    await cache.get('db', 'SELECT 1', { ...caps, maxBytes: 1001 }, run);
    await new ResultCache('other').get('db', 'SELECT 1', caps, run);
    expect(runs).toBe(5);
    expect(cache.stats).toEqual({ hits: 2, misses: 4, volatile: 0 });
  });

  it('never keeps volatile queries, timeouts or crashes', async () => {
    const cache = new ResultCache('h');
    let runs = 0;
    const timeout = async (): Promise<ExecOutcome> => {
      runs++;
      return { ok: false, error: 'timeout', message: 't', ms: 5 };
    };
    await cache.get('db', 'SELECT slow', caps, timeout);
    await cache.get('db', 'SELECT slow', caps, timeout);
    const volatile = async () => {
      runs++;
      return ok(runs);
    };
    const r1 = await cache.get('db', 'SELECT random()', caps, volatile);
    const r2 = await cache.get('db', 'SELECT random()', caps, volatile);
    expect(r1).not.toEqual(r2);
    expect(runs).toBe(4);
    expect(cache.stats.volatile).toBe(2);
    // a deterministic SQL error is the query's own: kept
    const bad = async (): Promise<ExecOutcome> => {
      runs++;
      return { ok: false, error: 'sql_error', message: 'no such table: x', ms: 0 };
    };
    await cache.get('db', 'SELECT * FROM x', caps, bad);
    await cache.get('db', 'SELECT * FROM x', caps, bad);
    expect(runs).toBe(5);
  });

  it('drops the oldest results beyond its byte budget', async () => {
    // each ok(n) result is 9 bytes; a budget of 20 keeps two
    const cache = new ResultCache('h', 20);
    let runs = 0;
    const run = async () => ok(++runs);
    for (const sql of ['a', 'b', 'c']) await cache.get('db', `SELECT ${sql}`, caps, run);
    await Promise.resolve();
    expect(cache.size).toBe(2);
    await cache.get('db', 'SELECT c', caps, run);
    expect(runs).toBe(3);
    await cache.get('db', 'SELECT a', caps, run);
    expect(runs).toBe(4);
  });
});

describe('QueryCache (a SQL worker’s results)', () => {
  const counts = () => ({ hits: 0, misses: 0, volatile: 0, executions: 0 });
  const failure: ExecOutcome = { ok: false, error: 'sql_error', message: 'no such column: Nme', ms: 0 };

  it('shares a result with texts SQLite reads alike, through retitle; failures only with the same text', () => {
    const cache = new QueryCache(1000);
    const c = counts();
    let runs = 0;
    const run = (o: ExecOutcome) => () => {
      runs++;
      return o;
    };
    const retitled: string[] = [];
    const retitle = (columns: string[]) => (shared: ExecOutcome & { ok: true }) => {
      retitled.push(shared.columns[0] ?? '');
      return { ...shared, columns };
    };
    const first = cache.get('g', 'SELECT count(*) FROM t', run(ok(1)), c, retitle(['count(*)']));
    const alike = cache.get('g', 'select COUNT(*)\n from t', run(ok(2)), c, retitle(['COUNT(*)']));
    expect(alike).toMatchObject({ ok: true, columns: ['COUNT(*)'], rows: [[1]] });
    expect(alike.ok && first.ok && alike.rows).toBe(first.ok && first.rows);
    expect(retitled).toEqual(['x']);
    // the same text again is a plain hit; another group (database, caps) shares nothing
    expect(cache.get('g', 'select COUNT(*)\n from t', run(ok(3)), c, retitle(['?']))).toBe(alike);
    cache.get('other', 'SELECT COUNT(*) FROM t', run(ok(4)), c, retitle(['?']));
    expect(runs).toBe(2);
    // a retitle that declines (the text does not prepare, or passes a cap) runs the query
    expect(cache.get('g', 'SELECT COUNT(*) FROM T', run(ok(5)), c, () => null)).toMatchObject({ rows: [[5]] });
    expect(runs).toBe(3);
    // failures quote their text: shared by the same text only
    cache.get('g', 'SELECT Nme FROM t', run(failure), c, retitle(['?']));
    cache.get('g', 'SELECT nme FROM t', run(failure), c, retitle(['?']));
    cache.get('g', 'SELECT Nme FROM t', run(failure), c, retitle(['?']));
    expect(runs).toBe(5);
    expect(c).toEqual({ hits: 3, misses: 5, volatile: 0, executions: 5 });
  });

  it('never shares volatile queries, nor EXPLAIN', () => {
    const cache = new QueryCache(1000);
    const c = counts();
    let runs = 0;
    const run = () => ok(++runs);
    const keep = (shared: ExecOutcome & { ok: true }) => shared;
    cache.get('g', 'SELECT random()', run, c, keep);
    cache.get('g', 'select RANDOM()', run, c, keep);
    cache.get('g', 'EXPLAIN SELECT * FROM t AS T1', run, c, keep);
    cache.get('g', 'EXPLAIN SELECT * FROM t AS t1', run, c, keep);
    expect(runs).toBe(4);
    expect(c).toMatchObject({ hits: 0, volatile: 2, executions: 4 });
  });
});
