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

it('a cancelled evaluation stops its runaway query at once: the worker running it is killed, and another evaluation on the same pool is scored in full', async () => {
  // one worker, and a prediction budget of 10 minutes: without the kill, the runaway would hold
  // the worker (and the other evaluation queued behind it) past the test's timeout
  const examples = Array.from({ length: 40 }, (_, i) => ({
    db_id: 'concert_singer',
    question: `Singers, and ${i}`,
    query: `SELECT ${i}, count(*) FROM singer`,
  }));
  const slow = await text2sqlEvaluator.prepare({
    ref: {
      benchmark: 'mini',
      version: 1,
      contentHash: '3'.repeat(64),
      files: [],
      evaluator: { workers: 1, timeout: 600 },
    },
    root: miniSpider(examples),
  });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'tb-preds-'));
    const write = (name: string, preds: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ predictions: Object.fromEntries(preds.map((p, i) => [String(i), p])) }));
      return { sha256: 'c'.repeat(64), path: file, mediaType: 'application/json' };
    };
    const gold = examples.map((e) => e.query);
    const runaway = write('runaway.json', [
      'WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r',
      ...gold.slice(1),
    ]);
    const plain = write('plain.json', gold);
    await slow.pool.execute(CONCERT, 'SELECT 1', { timeoutMs: 60_000, maxRows: 1 });
    const [worker] = slow.pool.pids;

    const abort = new AbortController();
    const cancelled = text2sqlEvaluator.evaluate(slow, runaway, { ...testRunContext(), signal: abort.signal });
    // started second: its examples wait behind the first evaluation's, in the same worker
    const other = text2sqlEvaluator.evaluate(slow, plain, testRunContext());
    setTimeout(() => abort.abort(), 300);
    await expect(cancelled).rejects.toThrow(new Error('evaluation aborted'));

    const report = await other;
    expect(report.examples).toHaveLength(examples.length);
    expect(report.metrics.find((m) => m.name === 'ex' && m.semantics === 'spider')).toMatchObject({
      value: 100,
      n: examples.length,
    });
    // the worker that ran the runaway is gone (kill -0 fails), replaced by another; a cancel is
    // neither a timeout nor a crash
    expect(() => process.kill(worker as number, 0)).toThrow();
    expect(slow.pool.pids).toHaveLength(1);
    expect(slow.pool.pids).not.toContain(worker);
    expect(slow.pool.stats).toMatchObject({ kills: 0, crashes: 0 });
  } finally {
    await text2sqlEvaluator.dispose?.(slow);
  }
}, 30_000);
