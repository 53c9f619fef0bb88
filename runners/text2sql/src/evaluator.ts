import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Evaluator, type EvaluatorReport, SubmissionError } from '@trueboard/contracts';
import { FormatError, type Text2SqlDataset, type Text2SqlExample } from './dataset';
import { SqlPool } from './exec/index';
import { loadBird } from './formats/bird';
import { loadSpider } from './formats/spider';
import { Text2SqlOptions } from './options';
import { parsePredictions } from './predictions';
import { aggregateMetrics, breakdowns, exampleRows } from './report';
import { type KeptResults, scoreAll, scoredFromRow } from './score';

/** 1.1.0: unscorable rows say why in `data.unscorable` (gold_failed, database_missing); verdicts unchanged. */
export const EVALUATOR_VERSION = '1.1.0';
/** Examples that keep one more SQL worker busy for longer than it takes to start (~70 ms). */
const EXAMPLES_PER_WORKER = 100;
/** A questions file this large holds enough examples for every worker (Spider's: ~3 KB each, BIRD's: ~1 KB). */
const BIG_DATASET_BYTES = 256 * 1024;

/** Size of the dataset's questions file (both layouts call it dev.json); 0 when there is none. */
function questionsBytes(root: string): number {
  return statSync(join(root, 'dev.json'), { throwIfNoEntry: false })?.size ?? 0;
}

export interface Text2SqlPrepared {
  dataset: Text2SqlDataset;
  options: Text2SqlOptions;
  results: KeptResults;
  pool: SqlPool;
  /** evaluations started on it so far: each one's number is its priority in the pool (see score.ts) */
  started: number;
}

export function loadDataset(root: string, options: Text2SqlOptions): Text2SqlDataset {
  return options.format === 'bird' ? loadBird(root) : loadSpider(root);
}

/** The text-to-SQL evaluator: the same object runs in `trueboard eval text2sql` and on runners. */
export const text2sqlEvaluator: Evaluator<Text2SqlPrepared> = {
  family: 'text2sql',
  name: 'trueboard-text2sql',
  version: EVALUATOR_VERSION,
  // query latencies, and R-VES (its reward is a ratio of timed executions)
  timing: { exampleFields: ['pred_ms', 'gold_ms', 'ves_reward'], metrics: ['rves'] },
  // SQLite runs on the CPU
  devices: ['cpu'],
  async prepare(bundle) {
    const parsed = Text2SqlOptions.safeParse(bundle.ref.evaluator);
    if (!parsed.success) {
      throw new Error(
        `evaluator options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const options = parsed.data;
    const pool = new SqlPool({ size: options.workers, memoryMb: options.workerMemoryMb });
    // every evaluation runs queries: one worker starts while the dataset loads, and as many as
    // its examples keep busy once it is loaded (each lane of queries wants its worker)
    pool.warm(1);
    try {
      // more than a few dozen questions keep every worker busy: start them all while they load
      if (questionsBytes(bundle.root) > BIG_DATASET_BYTES) pool.warm();
      const dataset = loadDataset(bundle.root, options);
      pool.warm(Math.ceil(dataset.examples.length / EXAMPLES_PER_WORKER));
      const results = { datasetHash: bundle.ref.contentHash, stats: { hits: 0, misses: 0, volatile: 0 } };
      return { dataset, options, results, pool, started: 0 };
    } catch (err) {
      await pool.close();
      throw err;
    }
  },
  async dispose(p) {
    await p.pool.close();
  },
  async evaluate(p, artifact, ctx): Promise<EvaluatorReport> {
    // numbered before anything is awaited: evaluations go to the workers in the order they were called
    const priority = ++p.started;
    const text = await readFile(artifact.path, 'utf8');
    let preds: ReturnType<typeof parsePredictions>;
    try {
      preds = parsePredictions(text, p.dataset, 'predictions', p.options.predictionFormat);
    } catch (err) {
      if (err instanceof FormatError) throw new SubmissionError(err.message);
      throw err;
    }
    ctx.log(
      'info',
      `${preds.byId.size} predictions (${preds.format} format) for ${p.dataset.examples.length} examples`,
    );
    const before = p.pool.stats.executions;
    // incremental re-scoring: keep the previous rows of examples whose gold did not change
    const previous = ctx.previous ? new Map(ctx.previous.examples.map((e) => [e.id, e])) : null;
    const changed = new Set(ctx.previous?.changedExampleIds ?? []);
    const reused = new Set<string>();
    const reuse = (e: Text2SqlExample) => {
      const row = changed.has(e.id) ? undefined : previous?.get(e.id);
      const kept = row ? scoredFromRow(e, row) : null;
      if (kept) reused.add(e.id);
      return kept;
    };
    const rows = await scoreAll(p.dataset, preds.byId, {
      reuse: previous ? reuse : undefined,
      pool: p.pool,
      results: p.results,
      options: p.options,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done / total, `${done}/${total} examples`),
      priority,
    });
    const unscorable = rows.filter((r) => r.exSpider === null).length;
    if (previous) {
      ctx.log(
        'info',
        `re-scored ${rows.length - reused.size} example(s); reused ${reused.size} row(s) of run ${ctx.previous?.runId}`,
      );
    }
    ctx.log(
      'info',
      `executed ${p.pool.stats.executions - before} queries; result cache ${p.results.stats.hits} hits / ${p.results.stats.misses} misses; ${unscorable} unscorable`,
    );
    const primary = p.options.primarySemantics ?? (p.dataset.format === 'bird' ? 'bird' : 'spider');
    // no provenance: the harness (runLocal) states it, and SQLite runs no sessions of ours to add
    return {
      family: 'text2sql',
      metrics: aggregateMetrics(rows, p.options, ctx.seed),
      examples: exampleRows(rows, primary, p.dataset, preds.byId, reused),
      unscorable,
      breakdowns: breakdowns(rows, p.options),
    };
  },
};
