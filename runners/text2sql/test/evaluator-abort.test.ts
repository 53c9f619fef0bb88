import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '@trueboard/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Text2SqlPrepared, text2sqlEvaluator } from '../src/evaluator';
import { miniSpider, SPIDER, testRunContext } from './fixture';

/*
 * ctx.signal stops an evaluation (a cancelled job, a runner giving its run back): the evaluation
 * rejects with "evaluation aborted", and no example starts after the abort, so the pool runs no
 * query for the examples that were still to come.
 */

/** more examples than are ever in flight at once, each with its own gold query (no cache sharing) */
const N = 400;
const CONCERT = join(SPIDER, 'database', 'concert_singer', 'concert_singer.sqlite');

let prepared: Text2SqlPrepared;
let predictions: string;

beforeAll(async () => {
  const examples = Array.from({ length: N }, (_, i) => ({
    db_id: 'concert_singer',
    question: `Singers, and ${i}`,
    query: `SELECT ${i}, count(*) FROM singer`,
  }));
  const dir = miniSpider(examples);
  prepared = await text2sqlEvaluator.prepare({
    ref: { benchmark: 'mini', version: 1, contentHash: '2'.repeat(64), files: [], evaluator: { workers: 1 } },
    root: dir,
  });
  predictions = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
  // each prediction is its gold query: one execution per example
  writeFileSync(
    predictions,
    JSON.stringify({ predictions: Object.fromEntries(examples.map((e, i) => [String(i), e.query])) }),
  );
});
afterAll(() => prepared?.pool.close());

const evaluate = (ctx: RunContext) =>
  text2sqlEvaluator.evaluate(
    prepared,
    { sha256: 'b'.repeat(64), path: predictions, mediaType: 'application/json' },
    ctx,
  );

/** Every query sent to the pool so far has been answered (one worker runs its queries in order). */
async function drained(): Promise<void> {
  await prepared.pool.execute(CONCERT, 'SELECT 1', { timeoutMs: 60_000, maxRows: 1 });
  // and the examples those answers completed have had their turn
  await new Promise((resolve) => setImmediate(resolve));
}

it('rejects at once and runs no query when the signal is already aborted', async () => {
  const abort = new AbortController();
  abort.abort();
  const progress: number[] = [];
  const before = prepared.pool.stats.executions;
  await expect(
    evaluate({ ...testRunContext(), signal: abort.signal, progress: (f) => progress.push(f) }),
  ).rejects.toThrow(new Error('evaluation aborted'));
  expect(prepared.pool.stats.executions).toBe(before);
  expect(progress).toEqual([]);
});

it('stops an evaluation in progress: rejects with "evaluation aborted", and the examples still to come never run', async () => {
  const abort = new AbortController();
  let afterAbort = 0;
  let executedAtAbort = 0;
  const before = prepared.pool.stats.executions;
  const run = evaluate({
    ...testRunContext(),
    signal: abort.signal,
    progress: () => {
      if (abort.signal.aborted) {
        afterAbort++;
        return;
      }
      // the first example is done: stop here
      executedAtAbort = prepared.pool.stats.executions - before;
      abort.abort();
    },
  });
  await expect(run).rejects.toThrow(new Error('evaluation aborted'));
  await drained();
  const executed = prepared.pool.stats.executions - before - 1; // less the probe of drained()
  // the examples in flight when the signal came finish; no other one starts
  expect(executed).toBe(executedAtAbort);
  expect(executed).toBeLessThan(N);
  expect(afterAbort).toBeLessThan(executed);

  // the same prepared dataset evaluates in full afterwards (N gold queries, some already cached)
  const again = await evaluate(testRunContext());
  expect(again.examples).toHaveLength(N);
  expect(again.metrics.find((m) => m.name === 'ex' && m.semantics === 'spider')).toMatchObject({ value: 100, n: N });
});
