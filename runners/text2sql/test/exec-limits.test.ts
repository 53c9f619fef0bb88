import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluatorReport } from '@trueboard/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { text2sqlEvaluator } from '../src/evaluator';
import { type ExecOutcome, SqlPool } from '../src/exec/index';
import { preview } from '../src/score';
import { text2sqlCorrectionValidator } from '../src/validate-correction';
import { miniSpider, SPIDER, testRunContext } from './fixture';

/*
 * Resource caps of SQL execution (issue 9): the bytes of a result are capped inside the worker as
 * it steps the rows, and each worker process has a memory limit. Every over-cap query ends as an
 * error with a reason naming the cap; the pool and the run go on.
 */

const CONCERT = `${SPIDER}/database/concert_singer/concert_singer.sqlite`;
const LIMITS = { timeoutMs: 30_000, maxRows: 100_000 };
/** the proposal: 100 rows of 10 MB strings (1 GB in all) */
const HUNDRED_BY_10MB =
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 100) SELECT x, replace(hex(zeroblob(5000000)), '0', 'x') AS big FROM c";
/** needs 300 MB inside SQLite, returns one small number */
const BIG_ALLOCATION = 'SELECT length(randomblob(300000000))';
/** a 420 MB string built by group_concat, returns its length */
const BIG_GROUP_CONCAT =
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 20000000) SELECT length(group_concat(printf('%020d', x))) FROM c";

const pool = new SqlPool({ size: 1 });
afterAll(() => pool.close());

const failure = (o: ExecOutcome) => (o.ok ? { ok: true, rows: o.rows.length } : { error: o.error, message: o.message });

describe('result byte cap', () => {
  it('counts bytes as documented (8 per number or NULL, UTF-8 text, blob length, column names) and refuses one byte past the cap', async () => {
    // columns "n" "s" "b" "z" = 4; 1 → 8; 'hé' → 3 (é is 2 bytes in UTF-8); x'00ff' → 2; NULL → 8: 25
    const sql = "SELECT 1 AS n, 'hé' AS s, x'00ff' AS b, NULL AS z";
    expect(await pool.execute(CONCERT, sql, { ...LIMITS, maxBytes: 25 })).toMatchObject({ ok: true, bytes: 25 });
    expect(failure(await pool.execute(CONCERT, sql, { ...LIMITS, maxBytes: 24 }))).toEqual({
      error: 'too_large',
      message: 'result larger than 24 bytes',
    });
    // a real table: every singer row, counted the same way
    const all = await pool.execute(CONCERT, 'SELECT * FROM singer', LIMITS);
    if (!all.ok) throw new Error(all.message);
    expect(
      failure(await pool.execute(CONCERT, 'SELECT * FROM singer', { ...LIMITS, maxBytes: all.bytes - 1 })),
    ).toEqual({ error: 'too_large', message: `result larger than ${all.bytes - 1} bytes` });
  });

  it('stops the issue proposal (100 rows × 10 MB) at the default 16 MiB, in the worker', async () => {
    // no maxBytes given: the pool's default applies; the failure carries no rows across IPC
    expect(failure(await pool.execute(CONCERT, HUNDRED_BY_10MB, LIMITS))).toEqual({
      error: 'too_large',
      message: 'result larger than 16 MiB',
    });
    // timed runs (R-VES) fetch every row too: same cap
    const timed = await pool.time(CONCERT, HUNDRED_BY_10MB, 3, LIMITS);
    expect(timed.ok ? timed : { error: timed.error, message: timed.message }).toEqual({
      error: 'too_large',
      message: 'result larger than 16 MiB',
    });
    expect(await pool.execute(CONCERT, 'SELECT count(*) FROM singer', LIMITS)).toMatchObject({ ok: true, rows: [[6]] });
  });

  it('previews at most 5 rows × 20 columns of 80 characters, whatever the result', () => {
    const columns = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const rows = Array.from({ length: 9 }, () => columns.map(() => 'y'.repeat(1000)));
    const p = preview({ ok: true, columns, rows, bytes: 0, ms: 0 });
    expect(p?.columns).toEqual(columns.slice(0, 20));
    expect(p?.rows).toHaveLength(5);
    expect(p?.rows.every((r) => r.length === 20 && r.every((c) => c === `${'y'.repeat(79)}…`))).toBe(true);
    expect(p).toMatchObject({ total: 9, totalColumns: 30 });
  });
});

// RLIMIT_DATA (ulimit -d) is how the worker's memory is bounded; other systems only cap V8's heap
describe.runIf(process.platform === 'linux')('worker memory limit', () => {
  const small = new SqlPool({ size: 1, memoryMb: 256 });
  afterAll(() => small.close());

  it('ends allocations past the limit as out_of_memory naming the limit, and the pool goes on', async () => {
    const oom = {
      error: 'out_of_memory',
      message: "out of memory: the query needs more than the SQL worker's 256 MiB",
    };
    expect(failure(await small.execute(CONCERT, BIG_ALLOCATION, LIMITS))).toEqual(oom);
    expect(failure(await small.execute(CONCERT, BIG_GROUP_CONCAT, LIMITS))).toEqual(oom);
    // one value past SQLite's length limit fails before any allocation
    expect(failure(await small.execute(CONCERT, 'SELECT randomblob(1e9)', LIMITS))).toEqual({
      error: 'too_large',
      message: 'a value in the result is too large (string or blob too big)',
    });
    expect(failure(await small.execute(CONCERT, 'SELECT zeroblob(1e9)', LIMITS))).toMatchObject({ error: 'too_large' });
    // the same queries within the default limit get their answer
    expect(await pool.execute(CONCERT, BIG_ALLOCATION, LIMITS)).toMatchObject({ ok: true, rows: [[300_000_000]] });
    expect(await small.execute(CONCERT, 'SELECT count(*) FROM singer', LIMITS)).toMatchObject({
      ok: true,
      rows: [[6]],
    });
  });

  it('refuses a limit Node cannot start under', () => {
    expect(() => new SqlPool({ memoryMb: 64 })).toThrow(
      new RangeError('SqlPool memoryMb must be an integer of at least 128, got 64'),
    );
  });
});

describe('over-cap queries in an evaluation', () => {
  const ctx = testRunContext();
  const q = (query: string, pred: string) => ({ db_id: 'concert_singer', question: 'q', query, pred });
  const examples = [
    q('SELECT count(*) FROM singer', 'SELECT count(*) FROM singer'),
    // a prediction past the byte cap is wrong, like a timeout
    q('SELECT name FROM singer', HUNDRED_BY_10MB),
    // a gold past the cap makes the example unscorable (not the system's fault)
    q("SELECT replace(hex(zeroblob(9000000)), '0', 'x')", 'SELECT 1'),
    // a prediction past the worker's memory is wrong too
    q('SELECT name FROM singer ORDER BY age', BIG_ALLOCATION),
    q('SELECT name FROM singer ORDER BY age', 'SELECT name FROM singer ORDER BY age'),
  ];

  it('scores an over-cap prediction 0 and an over-cap gold unscorable, with the reason, and scores the rest', async () => {
    const dir = miniSpider(examples);
    const p = await text2sqlEvaluator.prepare({
      ref: {
        benchmark: 'mini',
        version: 1,
        contentHash: 'f'.repeat(64),
        files: [],
        evaluator: { workerMemoryMb: 256 },
      },
      root: dir,
    });
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
      writeFileSync(
        file,
        JSON.stringify({ predictions: Object.fromEntries(examples.map((e, i) => [String(i), e.pred])) }),
      );
      const r: EvaluatorReport = await text2sqlEvaluator.evaluate(
        p,
        { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' },
        ctx,
      );
      expect(r.examples.map((e) => [e.verdict, e.reason])).toEqual([
        [1, undefined],
        [0, 'prediction result larger than 16 MiB'],
        [null, 'gold query result larger than 16 MiB'],
        [
          0,
          process.platform === 'linux'
            ? "prediction out of memory: the query needs more than the SQL worker's 256 MiB"
            : expect.any(String),
        ],
        [1, undefined],
      ]);
      expect(r.unscorable).toBe(1);
    } finally {
      await p.pool.close();
    }
  });
});

describe('correction validator', () => {
  it('checks one proposal at a time, so the server holds the results of one check only', async () => {
    const v = text2sqlCorrectionValidator();
    const events: string[] = [];
    const input = (name: string) => ({
      example: { db_id: 'concert_singer', query: 'SELECT count(*) FROM singer' },
      fields: { query: HUNDRED_BY_10MB },
      file: async () => {
        events.push(`${name} starts`);
        return CONCERT;
      },
    });
    try {
      await Promise.all(['a', 'b', 'c'].map((name) => v.validate(input(name)).then(() => events.push(`${name} done`))));
      expect(events).toEqual(['a starts', 'a done', 'b starts', 'b done', 'c starts', 'c done']);
    } finally {
      await v.close?.();
    }
  });

  it('refuses a new gold whose result passes the byte cap, naming the cap', async () => {
    const v = text2sqlCorrectionValidator();
    try {
      const r = await v.validate({
        example: { db_id: 'concert_singer', query: 'SELECT count(*) FROM singer' },
        fields: { query: HUNDRED_BY_10MB },
        file: async (path) => (path === 'database/concert_singer/concert_singer.sqlite' ? CONCERT : null),
      });
      expect(r).toMatchObject({
        ok: false,
        message: 'the new gold query does not run: result larger than 16 MiB',
        details: { new: { sql: HUNDRED_BY_10MB, error: 'result larger than 16 MiB' }, old: { rows: [[6]] } },
      });
    } finally {
      await v.close?.();
    }
  });
});
