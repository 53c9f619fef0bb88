import { existsSync } from 'node:fs';
import { timeRatio, vesReward } from '@trueboard/metrics';
import type { Text2SqlDataset, Text2SqlExample } from './dataset';
import type { ResultCacheStats } from './exec/cacheable';
import type { ExecOutcome, ResultPreview, SqlPool } from './exec/index';
import { previewOf } from './exec/preview';
import { exampleLanes } from './lanes';
import type { Text2SqlOptions } from './options';
import { ResultCache } from './result-cache';
import { type Unscorable, unscorableOf } from './rows';
import { type ExampleVerdicts, exampleQueries } from './score-example';
import { scoreInParent } from './score-in-parent';

export type { ResultPreview };

export interface ScoredExample {
  id: string;
  dbId: string;
  difficulty?: string;
  /** null = unscorable (database missing, gold failed) */
  exSpider: 0 | 1 | null;
  exBird: 0 | 1 | null;
  softF1: number | null;
  vesReward: number | null;
  /** why the example is unscorable, as a kind (the reason says it in words), when it is */
  unscorable?: Unscorable;
  /** why the example is unscorable, or why the prediction failed */
  reason?: string;
  predMs: number | null;
  goldMs: number | null;
  /** what the result pages show: the first rows of each result */
  goldPreview?: ResultPreview;
  predPreview?: ResultPreview;
}

/** At most a few rows and columns of short cells of a result, whatever its size (see exec/preview.ts). */
export function preview(o: ExecOutcome): ResultPreview | undefined {
  return o.ok ? previewOf(o) : undefined;
}

/**
 * The results of one dataset version, kept by the SQL workers that computed them (see
 * exec/query-cache.ts): `datasetHash` names them there, and `stats` counts how they were used.
 */
export interface KeptResults {
  readonly datasetHash: string;
  readonly stats: ResultCacheStats;
}

export interface ScoreContext {
  pool: SqlPool;
  /** shared by gold and predicted queries, and by every evaluation on the dataset version */
  results: KeptResults;
  options: Text2SqlOptions;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** an earlier row to keep instead of scoring the example again (incremental re-scoring), or null */
  reuse?(e: Text2SqlExample): ScoredExample | null;
  /**
   * Its examples go to the workers before those of evaluations with a higher number (default 0).
   * Evaluations sharing a pool are numbered as they start, so the first one finishes first and its
   * report is made while the workers score the others, instead of all finishing together.
   */
  priority?: number;
}

/**
 * Scores every example; at most `concurrency` examples are in flight so the pool stays busy. A
 * worker scores each example whole (see SqlPool `score`), so rows never cross IPC, and examples
 * with the same gold query share a lane (exampleLanes): their gold result is computed once, in one
 * worker, whichever systems are evaluated. An example whose worker died while comparing results
 * is compared here instead (see score-in-parent.ts).
 */
export async function scoreAll(
  ds: Text2SqlDataset,
  preds: Map<string, string>,
  ctx: ScoreContext,
): Promise<ScoredExample[]> {
  const out: ScoredExample[] = new Array(ds.examples.length);
  const { options: o, pool } = ctx;
  const caps = { maxRows: o.maxRows, maxBytes: o.maxResultBytes };
  const timeoutMs = o.timeout * 1000;
  const goldTimeoutMs = o.goldTimeout * 1000;
  const lanes = exampleLanes(ds, pool.size);
  // results in full, only for the examples whose worker died comparing
  let full: ResultCache | undefined;
  // each database's path, and whether its file is there, once per database
  const databases = new Map<string, { path: string; exists: boolean }>();
  const database = (dbId: string) => {
    let db = databases.get(dbId);
    if (!db) {
      const path = ds.dbPath(dbId);
      db = { path, exists: existsSync(path) };
      databases.set(dbId, db);
    }
    return db;
  };
  const base = (e: Text2SqlExample) => ({ id: e.id, dbId: e.dbId, difficulty: e.difficulty });
  const stopIfAborted = () => {
    if (ctx.signal?.aborted) throw new Error('evaluation aborted');
  };

  const scoreOne = async (e: Text2SqlExample, pred: string | undefined): Promise<ScoredExample> => {
    const db = database(e.dbId);
    if (!db.exists) {
      return {
        ...base(e),
        exSpider: null,
        exBird: null,
        softF1: null,
        vesReward: null,
        unscorable: 'database_missing',
        reason: `database ${e.dbId} is missing`,
        predMs: null,
        goldMs: null,
      };
    }
    const q = exampleQueries(e.goldSql, pred, o.keepDistinct);
    const scored = await pool.score(
      {
        cache: ctx.results.datasetHash,
        dbPath: db.path,
        maxRows: caps.maxRows,
        maxBytes: caps.maxBytes,
        goldTimeoutMs,
        timeoutMs,
        gold: q.gold,
        goldSpider: q.goldSpider,
        pred: q.pred,
        predSpider: q.predSpider,
      },
      lanes.get(e),
      ctx.priority,
      ctx.signal,
    );
    // a cancelled example is no verdict: the evaluation stops here
    stopIfAborted();
    let v: ExampleVerdicts;
    if (scored.ok) {
      const { stats } = ctx.results;
      stats.hits += scored.counts.hits;
      stats.misses += scored.counts.misses;
      stats.volatile += scored.counts.volatile;
      v = scored.verdicts;
    } else {
      full ??= new ResultCache(ctx.results.datasetHash);
      const run = { pool, dbId: e.dbId, dbPath: db.path, caps, timeoutMs, goldTimeoutMs, signal: ctx.signal };
      v = await scoreInParent(q, run, full, scored);
      stopIfAborted();
    }
    let reward: number | null = null;
    if (v.end !== 'unscorable' && o.vesRepeats > 0) {
      reward = 0;
      if (v.birdOk && q.pred !== undefined) {
        // each query is timed under its own budget (DOMAIN.md: gold and prediction have separate ones)
        const [g, p] = [
          await pool.time(db.path, e.goldSql, o.vesRepeats, { timeoutMs: goldTimeoutMs, ...caps }, ctx.signal),
          await pool.time(db.path, q.pred, o.vesRepeats, { timeoutMs, ...caps }, ctx.signal),
        ];
        stopIfAborted();
        reward = g.ok && p.ok ? vesReward(timeRatio(g.times, p.times), true) : 0;
      }
    }
    // written out, not spread: this runs once per example and system, and its rows live to the end
    const row: ScoredExample = {
      id: e.id,
      dbId: e.dbId,
      difficulty: e.difficulty,
      exSpider: v.exSpider,
      exBird: v.exBird,
      softF1: v.softF1,
      vesReward: reward,
      reason: v.reason,
      predMs: v.predMs,
      goldMs: v.goldMs,
      goldPreview: v.goldPreview,
      predPreview: v.predPreview,
    };
    if (v.end === 'unscorable') row.unscorable = 'gold_failed';
    return row;
  };

  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      stopIfAborted();
      const i = next++;
      const e = ds.examples[i];
      if (!e) return;
      out[i] = ctx.reuse?.(e) ?? (await scoreOne(e, preds.get(e.id)));
      ctx.onProgress?.(++done, ds.examples.length);
    }
  };
  // enough examples in flight to fill every worker's batch (the pool sends work in batches)
  const concurrency = Math.max(8, pool.size * 128);
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

const verdictOf = (v: unknown): 0 | 1 | null | undefined => (v === 0 || v === 1 || v === null ? v : undefined);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * A scored example back from a stored per-example row (see report.ts exampleRows), or null when
 * the row lacks what the aggregates need (then the example is scored again).
 */
export function scoredFromRow(
  e: Text2SqlExample,
  row: { verdict: number | null; reason?: string; data: Record<string, unknown> },
): ScoredExample | null {
  const d = row.data;
  // a row stored before rows said why they are unscorable gets the kind its reason names
  const unscorable = unscorableOf({ verdict: row.verdict, reason: row.reason ?? null, data: d });
  const exSpider = verdictOf(d.ex_spider);
  const exBird = verdictOf(d.ex_bird);
  if (exSpider === undefined || exBird === undefined || d.db_id !== e.dbId) return null;
  return {
    id: e.id,
    dbId: e.dbId,
    difficulty: e.difficulty,
    exSpider,
    exBird,
    softF1: numOrNull(d.soft_f1),
    vesReward: numOrNull(d.ves_reward),
    ...(unscorable ? { unscorable } : {}),
    reason: row.reason,
    predMs: numOrNull(d.pred_ms),
    goldMs: numOrNull(d.gold_ms),
    goldPreview: d.gold_preview as ResultPreview | undefined,
    predPreview: d.pred_preview as ResultPreview | undefined,
  };
}
