import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Text2SqlPrepared, text2sqlEvaluator } from '../src/evaluator';
import { miniSpider, testRunContext } from './fixture';

/*
 * A submission of hostile predictions on the real concert_singer database (6 singers), scored like
 * any other: each example gets a verdict of 0 and a reason that says what happened, every runaway
 * query is stopped once, on its own budget, and the normal prediction among them is scored right.
 */

const GOLD = 'SELECT count(*) FROM singer';
const RUNAWAY_CTE = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
// 6^12 ≈ 2 billion rows to count
const CROSS_12 = `SELECT count(*) FROM ${Array.from({ length: 12 }, (_, i) => `singer s${i}`).join(', ')}`;
// 6^7 = 279,936 rows: more than the 100,000 kept
const CROSS_7 = `SELECT s0.Singer_ID FROM ${Array.from({ length: 7 }, (_, i) => `singer s${i}`).join(', ')}`;

/** prediction → the reason its example must get */
const HOSTILE: [string, RegExp][] = [
  [RUNAWAY_CTE, /^prediction timed out after 1000 ms; the worker running it was killed$/],
  [CROSS_12, /^prediction timed out after 1000 ms; the worker running it was killed$/],
  ['SELECT zeroblob(1000000000)', /^prediction a value in the result is too large/],
  [CROSS_7, /^prediction too_many_rows: the query returns more than 100000 rows$/],
  ["ATTACH DATABASE '/tmp/tb-hostile-attached.db' AS evil", /^prediction refused: ATTACH statements are not allowed$/],
  ['PRAGMA writable_schema = 1', /^prediction refused: PRAGMA statements are not allowed$/],
  ['DROP TABLE singer', /^prediction refused: only read-only statements may run/],
  ['UPDATE singer SET age = 0', /^prediction refused: only read-only statements may run/],
  ["SELECT load_extension('/tmp/tb-hostile-evil.so')", /^prediction refused: load_extension\(\) is not allowed$/],
  ["VACUUM INTO '/tmp/tb-hostile-vacuumed.db'", /^prediction refused: VACUUM statements are not allowed$/],
  ['SELECT 1; DROP TABLE singer', /^prediction sql_error: multiple statements/],
];

let dir: string;
let prepared: Text2SqlPrepared;

const ctx = testRunContext;

beforeAll(async () => {
  // one more example with a normal, correct prediction, in the middle of the hostile ones
  const examples = [...HOSTILE, ['SELECT COUNT(*) FROM singer', /^$/] as const].map(() => ({
    db_id: 'concert_singer',
    question: 'How many singers?',
    query: GOLD,
  }));
  dir = miniSpider(examples);
  prepared = await text2sqlEvaluator.prepare({
    ref: {
      benchmark: 'mini',
      version: 1,
      contentHash: 'f'.repeat(64),
      files: [],
      evaluator: { timeout: 1, workers: 2 },
    },
    root: dir,
  });
});
afterAll(async () => {
  await prepared.pool.close();
  rmSync(dir, { recursive: true, force: true });
});

it('gives every hostile prediction a 0 and its reason, stops each runaway once, and scores the rest', async () => {
  const predictions = Object.fromEntries([
    ...HOSTILE.map(([sql], i) => [String(i), sql]),
    [String(HOSTILE.length), 'SELECT COUNT(*) FROM singer'],
  ]);
  const file = join(mkdtempSync(join(tmpdir(), 'tb-hostile-')), 'preds.json');
  writeFileSync(file, JSON.stringify({ predictions }));
  const report = await text2sqlEvaluator.evaluate(
    prepared,
    { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' },
    ctx(),
  );

  const rows = new Map(report.examples.map((e) => [e.id, e]));
  HOSTILE.forEach(([sql, reason], i) => {
    const row = rows.get(String(i));
    expect({ sql, verdict: row?.verdict, reason: row?.reason }).toEqual({
      sql,
      verdict: 0,
      reason: expect.stringMatching(reason),
    });
    expect(row?.data).toMatchObject({ ex_spider: 0, ex_bird: 0, soft_f1: 0 });
  });
  expect(rows.get(String(HOSTILE.length))).toMatchObject({ verdict: 1, reason: undefined });
  expect(report.unscorable).toBe(0);
  // two runaways, two kills: each was charged its own timeout, and none ran twice
  expect(prepared.pool.stats.kills).toBe(2);
  expect(prepared.pool.stats.crashes).toBe(0);
});
