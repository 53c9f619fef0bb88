import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvaluatorReport, SubmissionError } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Text2SqlPrepared, text2sqlEvaluator } from '../src/evaluator';
import { miniSpider, SPIDER, testRunContext } from './fixture';

/*
 * Hand-worked verdicts on the real concert_singer database (singers: Joe Sharp 52 Netherlands,
 * Timbaland 32 United States, Justin Brown 29 France, Rose White 41 France, John Nizinik 43 France,
 * Tribal King 25 France).
 */
const EXAMPLES = [
  // 0: same count → spider 1, bird 1, soft-F1 1
  {
    db_id: 'concert_singer',
    question: 'How many singers?',
    query: 'SELECT count(*) FROM singer',
    pred: 'SELECT COUNT(*) FROM singer',
  },
  // 1: reversed order; gold has ORDER BY → spider 0; as sets equal → bird 1; soft-F1 pairs row i with row i: no cell matches → 0
  {
    db_id: 'concert_singer',
    question: 'Names by age, oldest first',
    query: 'SELECT name FROM singer ORDER BY age DESC',
    pred: 'SELECT name FROM singer ORDER BY age ASC',
  },
  // 2: DISTINCT is removed under spider semantics → 1; bird compares sets → 1; soft-F1 dedupes both → 1
  {
    db_id: 'concert_singer',
    question: 'Countries of singers',
    query: 'SELECT country FROM singer',
    pred: 'SELECT DISTINCT country FROM singer',
  },
  // 3: columns swapped → spider 1 (permutation), bird 0; soft-F1 compares cells as sets per row → 1
  {
    db_id: 'concert_singer',
    question: 'French singers and ages',
    query: "SELECT name, age FROM singer WHERE country = 'France'",
    pred: "SELECT age, name FROM singer WHERE country = 'France'",
  },
  // 4: a write is refused → 0, 0, 0
  {
    db_id: 'concert_singer',
    question: 'How many concerts?',
    query: 'SELECT count(*) FROM concert',
    pred: 'DROP TABLE concert',
  },
  // 5: wta_1 ships without rows → unscorable
  {
    db_id: 'wta_1',
    question: 'How many players?',
    query: 'SELECT count(*) FROM players',
    pred: 'SELECT count(*) FROM players',
  },
  // 6: no prediction → 0, 0, 0
  {
    db_id: 'concert_singer',
    question: 'Big stadiums',
    query: 'SELECT name FROM stadium WHERE capacity > 5000',
    pred: '',
  },
  // 7: the gold itself fails (typo) → unscorable, not the system's fault
  { db_id: 'concert_singer', question: 'Names', query: 'SELECT name FROM singre', pred: 'SELECT name FROM singer' },
  // 8: identical → 1, 1, 1
  {
    db_id: 'concert_singer',
    question: 'Over 40 by age',
    query: 'SELECT name FROM singer WHERE age > 40 ORDER BY age',
    pred: 'SELECT name FROM singer WHERE age > 40 ORDER BY age',
  },
  // 9: swapped columns again → spider 1, bird 0, soft-F1 1
  {
    db_id: 'concert_singer',
    question: 'Under 30',
    query: 'SELECT name, country FROM singer WHERE age < 30',
    pred: 'SELECT country, name FROM singer WHERE age < 30',
  },
];
// scorable: 0 1 2 3 4 6 8 9 (8 examples)
// spider: 1 0 1 1 0 0 1 1 = 5/8 = 62.5   bird: 1 1 1 0 0 0 1 0 = 4/8 = 50   soft-F1: 1 0 1 1 0 0 1 1 = 62.5

let dir: string;
let prepared: Text2SqlPrepared;
let predictions: string;

const ctx = testRunContext;

async function evaluate(p: Text2SqlPrepared, text: string): Promise<EvaluatorReport> {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
  writeFileSync(file, text);
  return text2sqlEvaluator.evaluate(p, { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' }, ctx());
}

const metric = (r: EvaluatorReport, name: string, semantics: string) =>
  r.metrics.find((m) => m.name === name && m.semantics === semantics);

beforeAll(async () => {
  dir = miniSpider(EXAMPLES);
  const bundle = (evaluator: Record<string, unknown>) => ({
    ref: { benchmark: 'mini', version: 1, contentHash: 'c'.repeat(64), files: [], evaluator },
    root: dir,
  });
  prepared = await text2sqlEvaluator.prepare(bundle({ format: 'spider', workers: 2 }));
  predictions = JSON.stringify({
    predictions: Object.fromEntries(EXAMPLES.map((e, i) => [String(i), e.pred]).filter(([, p]) => p)),
  });
});
afterAll(() => prepared.pool.close());

describe('text2sql evaluator on hand-worked examples', () => {
  it('scores both EX semantics, Soft-F1 and unscorables as worked by hand', async () => {
    const r = await evaluate(prepared, predictions);
    expect(r.unscorable).toBe(2);
    expect(metric(r, 'ex', 'spider')).toMatchObject({ value: 62.5, n: 8 });
    expect(metric(r, 'ex', 'bird')).toMatchObject({ value: 50, n: 8 });
    expect(metric(r, 'soft_f1', 'bird-minidev')?.value).toBeCloseTo(62.5, 10);
    const byId = new Map(r.examples.map((e) => [e.id, e]));
    expect(r.examples.map((e) => e.verdict)).toEqual([1, 0, 1, 1, 0, null, 0, null, 1, 1]);
    expect(byId.get('5')?.reason).toBe('database wta_1 is missing');
    expect(byId.get('7')?.reason).toMatch(/^gold query sql_error: no such table: singre/);
    expect(byId.get('6')?.reason).toBe('no prediction');
    expect(byId.get('4')?.reason).toMatch(/^prediction refused/);
    expect(byId.get('3')?.data).toMatchObject({ ex_spider: 1, ex_bird: 0, soft_f1: 1, db_id: 'concert_singer' });
    const dbBreakdown = r.breakdowns.find((b) => b.by === 'db_id' && b.key === 'concert_singer');
    expect(dbBreakdown?.metrics.find((m) => m.semantics === 'bird')).toMatchObject({ value: 50, n: 8 });
  });

  it('runs each distinct query once: gold across evaluations, predictions identical to a gold or to each other', async () => {
    const fresh = await text2sqlEvaluator.prepare({
      ref: { benchmark: 'mini', version: 1, contentHash: 'd'.repeat(64), files: [], evaluator: { workers: 1 } },
      root: dir,
    });
    try {
      const before = fresh.pool.stats.executions;
      const r = await evaluate(fresh, predictions);
      // gold: 9 distinct gold queries on existing databases (no gold contains DISTINCT, so no spider
      // variants). Predictions: 1 2 3 4 7 9 run. Example 8's equals its gold; example 0's
      // (`COUNT(*)`) and example 2's DISTINCT-stripped form (`SELECT  country …`, two spaces) are
      // their gold as SQLite reads it (sql-key.ts): those three come from the cache. An example's
      // queries are sent together, so example 7's prediction runs although its gold fails (the
      // example is unscorable all the same) → 6
      expect(fresh.pool.stats.executions - before).toBe(15);
      expect(fresh.results.stats).toMatchObject({ misses: 15, volatile: 0 });
      // a shared result still shows the column names SQLite gives each text
      const first = r.examples.find((e) => e.id === '0')?.data;
      expect(first?.gold_preview).toMatchObject({ columns: ['count(*)'], rows: [[6]] });
      expect(first?.pred_preview).toMatchObject({ columns: ['COUNT(*)'], rows: [[6]] });
      const second = fresh.pool.stats.executions;
      const again = await evaluate(fresh, predictions);
      expect(fresh.pool.stats.executions - second).toBe(0); // every result came from the cache
      expect(metric(again, 'ex', 'spider')?.value).toBe(62.5);
      expect(again.examples.map((e) => e.verdict)).toEqual([1, 0, 1, 1, 0, null, 0, null, 1, 1]);
    } finally {
      await fresh.pool.close();
    }
  });

  it('keeps DISTINCT when asked, under a differently named semantics', async () => {
    const keep = await text2sqlEvaluator.prepare({
      ref: {
        benchmark: 'mini',
        version: 1,
        contentHash: 'e'.repeat(64),
        files: [],
        evaluator: { keepDistinct: true, workers: 1 },
      },
      root: dir,
    });
    try {
      const r = await evaluate(keep, predictions);
      // example 2 now compares 3 distinct countries with 6 rows → 0; spider: 4/8
      expect(metric(r, 'ex', 'spider-keep-distinct')).toMatchObject({ value: 50, n: 8 });
      expect(metric(r, 'ex', 'spider')).toBeUndefined();
    } finally {
      await keep.pool.close();
    }
  });

  it('turns bad prediction files into SubmissionErrors that name the problem', async () => {
    // a SubmissionError (the submitter's fault, shown to them), with a message that names the problem
    const unknownId = await evaluate(prepared, JSON.stringify({ predictions: { '99': 'SELECT 1' } })).catch(
      (err: unknown) => err,
    );
    expect(unknownId).toBeInstanceOf(SubmissionError);
    expect(unknownId).toMatchObject({ message: 'predictions: 1 prediction for unknown example id "99"' });
    const short = await evaluate(prepared, 'SELECT 1\nSELECT 2\n').catch((err: unknown) => err);
    expect(short).toBeInstanceOf(SubmissionError);
    expect(short).toMatchObject({
      message: expect.stringMatching(/2 lines but the dataset has 10 examples: 8 lines missing/),
    });
  });
});

describe('several evaluations on one prepared dataset', () => {
  it('scores them in the order they started: the first is done before the second is halfway', async () => {
    const spider = await text2sqlEvaluator.prepare({
      ref: { benchmark: 'spider-dev', version: 1, contentHash: 'f'.repeat(64), files: [], evaluator: { workers: 2 } },
      root: SPIDER,
    });
    try {
      let secondDone = 0;
      const run = (system: string, progress: (f: number) => void) =>
        text2sqlEvaluator.evaluate(
          spider,
          { sha256: 'b'.repeat(64), path: join(SPIDER, 'baselines', system), mediaType: 'text/plain' },
          { ...ctx(), progress },
        );
      // numbered as they are called, whichever file is read first
      const first = run('codes-1b.sql', () => {}).then((r) => ({ r, secondAt: secondDone }));
      const second = run('dail-sql-gpt4.sql', (f) => {
        secondDone = f;
      });
      const [a, b] = await Promise.all([first, second]);
      // both whole and right (BIRD's official EX over the 972 scorable questions)
      expect(metric(a.r, 'ex', 'bird')?.value).toBeCloseTo(76.44, 2);
      expect(metric(b, 'ex', 'bird')?.value).toBeCloseTo(81.07, 2);
      // sent in the order they started, not interleaved (where both end together)
      expect(a.secondAt).toBeLessThan(0.5);
    } finally {
      await spider.pool.close();
    }
  });
});
