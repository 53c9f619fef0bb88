import { describe, expect, it } from 'vitest';
import type { ExecOutcome } from '../src/exec/index';
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
