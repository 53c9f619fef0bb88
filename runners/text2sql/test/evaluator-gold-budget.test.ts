import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluatorReport } from '@trueboard/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Text2SqlPrepared, text2sqlEvaluator } from '../src/evaluator';
import { miniSpider, testRunContext } from './fixture';

/*
 * Gold and prediction have separate time budgets (options `goldTimeout` and `timeout`). A gold
 * query slower than the prediction budget but within its own is scored; a prediction has only its
 * own budget, also when it is the very same query (its result, shared with the gold through the
 * result cache, came from a run with the larger budget).
 *
 * No clock is read here: the slow query counts to 5,000,000 in a recursive CTE (hundreds of ms
 * to seconds, whatever the machine), 2 to 100 times the 0.25 s prediction budget and far inside
 * the 60 s gold budget; the fast prediction is a constant, answered in microseconds.
 */
const SLOW = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 5000000) SELECT count(*) FROM c';
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
const PREDICTIONS = [
  // the gold query itself
  SLOW,
  // another query, as slow as the gold or slower: it runs under the prediction budget and is killed
  RUNAWAY,
  // the right answer, quickly
  'SELECT 5000000',
];

let prepared: Text2SqlPrepared;
let report: EvaluatorReport;

beforeAll(async () => {
  const dir = miniSpider(PREDICTIONS.map(() => ({ db_id: 'concert_singer', question: 'Count to 5M', query: SLOW })));
  prepared = await text2sqlEvaluator.prepare({
    ref: {
      benchmark: 'mini',
      version: 1,
      contentHash: '1'.repeat(64),
      files: [],
      evaluator: { timeout: 0.25, goldTimeout: 60, workers: 2 },
    },
    root: dir,
  });
  const file = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
  writeFileSync(file, JSON.stringify({ predictions: Object.fromEntries(PREDICTIONS.map((p, i) => [String(i), p])) }));
  report = await text2sqlEvaluator.evaluate(
    prepared,
    { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' },
    testRunContext(),
  );
});
afterAll(() => prepared?.pool.close());

it('scores a gold query slower than the prediction budget within its own budget', () => {
  // no example is unscorable: each gold query ran to its end under the 60 s gold budget
  expect(report.unscorable).toBe(0);
  expect(report.examples[2]).toMatchObject({
    verdict: 1,
    data: { ex_spider: 1, ex_bird: 1, soft_f1: 1, gold_preview: { rows: [[5000000]] } },
  });
  expect(report.examples[2]?.reason).toBeUndefined();
});

it('times out a prediction identical to that gold query under the prediction budget', () => {
  expect(report.examples[0]).toMatchObject({
    verdict: 0,
    reason: 'prediction timed out after 250 ms (the same query, run with a larger budget, took longer)',
    data: { ex_spider: 0, ex_bird: 0, soft_f1: 0 },
  });
});

it('kills a slow prediction of its own at the prediction budget', () => {
  expect(report.examples[1]).toMatchObject({
    verdict: 0,
    reason: 'prediction timed out after 250 ms; the worker running it was killed',
    data: { ex_spider: 0, ex_bird: 0, soft_f1: 0 },
  });
  expect(prepared.pool.stats.kills).toBe(1);
});
