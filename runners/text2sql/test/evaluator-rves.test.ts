import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluatorReport } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Text2SqlPrepared, text2sqlEvaluator } from '../src/evaluator';
import { miniSpider, testRunContext } from './fixture';

/*
 * R-VES (vesRepeats > 0), BIRD mini-dev: for a correct pair, τ = gold time / predicted time over
 * timed repetitions; reward 1.25 if τ ≥ 2, 1 if 1 ≤ τ < 2, 0.75 if 0.5 ≤ τ < 1, 0.5 if 0.25 ≤ τ < 0.5,
 * 0.25 if τ < 0.25, 0 if incorrect; score = mean(sqrt(reward)) × 100 (docs DOMAIN.md).
 *
 * The rewards are known without reading a clock: SLOW counts to 3,000,000 in a recursive CTE (at
 * least a few hundred ms per run on any machine), FAST returns the same single value in
 * microseconds, so τ is in the thousands one way round and in the thousandths the other.
 */
const SLOW = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3000000) SELECT count(*) FROM c';
const FAST = 'SELECT 3000000';

const EXAMPLES = [
  // 0: correct, the prediction far faster than the gold: τ ≫ 2 → 1.25
  { db_id: 'concert_singer', question: 'Count to 3M', query: SLOW, pred: FAST },
  // 1: correct, the prediction far slower than the gold: τ ≪ 0.25 → 0.25
  { db_id: 'concert_singer', question: 'Count to 3M', query: FAST, pred: SLOW },
  // 2: incorrect → 0
  { db_id: 'concert_singer', question: 'How many singers?', query: 'SELECT count(*) FROM singer', pred: 'SELECT 7' },
  // 3: no prediction → 0
  { db_id: 'concert_singer', question: 'How many concerts?', query: 'SELECT count(*) FROM concert', pred: '' },
  // 4: unscorable (wta_1 has no rows) → no reward, not counted
  { db_id: 'wta_1', question: 'How many players?', query: 'SELECT count(*) FROM players', pred: 'SELECT 1' },
];
/** 100 × (√1.25 + √0.25 + 0 + 0) / 4, computed with Python's math.sqrt */
const RVES = 40.45084971874737;

let dir: string;
const prepared: Text2SqlPrepared[] = [];

async function evaluate(evaluator: Record<string, unknown>): Promise<EvaluatorReport> {
  const p = await text2sqlEvaluator.prepare({
    ref: { benchmark: 'mini', version: 1, contentHash: '3'.repeat(64), files: [], evaluator },
    root: dir,
  });
  prepared.push(p);
  const file = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
  writeFileSync(
    file,
    JSON.stringify({
      predictions: Object.fromEntries(EXAMPLES.flatMap((e, i) => (e.pred ? [[String(i), e.pred]] : []))),
    }),
  );
  return text2sqlEvaluator.evaluate(
    p,
    { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' },
    testRunContext(),
  );
}

beforeAll(() => {
  dir = miniSpider(EXAMPLES);
});
afterAll(async () => {
  await Promise.all(prepared.map((p) => p.pool.close()));
});

describe('R-VES', () => {
  let report: EvaluatorReport;
  beforeAll(async () => {
    report = await evaluate({ vesRepeats: 3, workers: 2 });
  });

  it('gives each example the reward of its time-ratio bucket, and none to the unscorable one', () => {
    expect(report.examples.map((e) => e.data.ves_reward)).toEqual([1.25, 0.25, 0, 0, undefined]);
    expect(report.examples.map((e) => e.data.ex_bird)).toEqual([1, 1, 0, 0, null]);
    expect(report.unscorable).toBe(1);
  });

  it('reports rves = mean(sqrt(reward)) × 100 over the scorable examples, with the bird-minidev semantics', () => {
    const rves = report.metrics.find((m) => m.name === 'rves');
    expect(rves).toMatchObject({ semantics: 'bird-minidev', n: 4 });
    expect(rves?.value).toBeCloseTo(RVES, 12);
  });

  it('is off by default: no rves metric and no per-example reward', async () => {
    const off = await evaluate({ workers: 1 });
    expect(off.metrics.map((m) => m.name)).not.toContain('rves');
    expect(off.examples.map((e) => e.data.ves_reward)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(off.examples.map((e) => e.data.ex_bird)).toEqual([1, 1, 0, 0, null]);
  });

  /*
   * The timed repetitions of the gold query run under the gold's own budget (`goldTimeout`), not
   * the prediction's: a gold slower than the prediction budget is scored (see
   * evaluator-gold-budget.test.ts), and a correct, faster prediction of it earns 1.25, not 0.
   * (Before the fix the gold was timed under `timeout`; this test failed with reward 0.)
   */
  it('times the gold query under the gold budget: a correct prediction of a gold slower than the prediction budget earns its reward', async () => {
    const r = await evaluate({ vesRepeats: 3, workers: 2, timeout: 0.1, goldTimeout: 60 });
    // example 0: the gold (SLOW, hundreds of ms) is past the 0.1 s prediction budget; FAST is correct
    expect(r.examples[0]?.data).toMatchObject({ ex_bird: 1, ves_reward: 1.25 });
  });
});
