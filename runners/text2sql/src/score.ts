import { existsSync } from 'node:fs';
import { exBird, exSpider, goldHasOrderBy, softF1, timeRatio, vesReward } from '@trueboard/metrics';
import type { Text2SqlDataset, Text2SqlExample } from './dataset';
import type { ExecOutcome, SqlPool } from './exec/index';
import { compareOnce, firstStatementQuick, removeDistinctOnce } from './memo';
import type { Text2SqlOptions } from './options';
import type { ResultCache } from './result-cache';

export interface ScoredExample {
  id: string;
  dbId: string;
  difficulty?: string;
  /** null = unscorable (database missing, gold failed) */
  exSpider: 0 | 1 | null;
  exBird: 0 | 1 | null;
  softF1: number | null;
  vesReward: number | null;
  /** why the example is unscorable, or why the prediction failed */
  reason?: string;
  predMs: number | null;
  goldMs: number | null;
  /** what the result pages show: the first rows of each result */
  goldPreview?: ResultPreview;
  predPreview?: ResultPreview;
}

/** The first rows of a result, cells cut short, for people to look at (never for scoring). */
export interface ResultPreview {
  columns: string[];
  rows: (string | number | null)[][];
  /** rows in the full result */
  total: number;
  /** columns in the full result, when the preview shows only the first ones */
  totalColumns?: number;
}

const PREVIEW_ROWS = 5;
/** a result may have up to 2000 columns (SQLite's default cap): a preview shows the first ones */
const PREVIEW_COLUMNS = 20;
const PREVIEW_CELL = 80;

/** At most PREVIEW_ROWS × PREVIEW_COLUMNS cells of PREVIEW_CELL characters, whatever the result. */
export function preview(o: ExecOutcome): ResultPreview | undefined {
  if (!o.ok) return undefined;
  const cell = (v: unknown): string | number | null => {
    if (v === null || typeof v === 'number') return v;
    const text = typeof v === 'string' ? v : v instanceof Uint8Array ? `<${v.length} bytes>` : String(v);
    return text.length > PREVIEW_CELL ? `${text.slice(0, PREVIEW_CELL - 1)}…` : text;
  };
  const columns = o.columns.slice(0, PREVIEW_COLUMNS);
  return {
    columns: columns.map((c) => String(cell(c))),
    rows: o.rows.slice(0, PREVIEW_ROWS).map((r) => r.slice(0, PREVIEW_COLUMNS).map(cell)),
    total: o.rows.length,
    ...(o.columns.length > columns.length ? { totalColumns: o.columns.length } : {}),
  };
}

export interface ScoreContext {
  pool: SqlPool;
  /** shared by gold and predicted queries (see ResultCache) */
  results: ResultCache;
  options: Text2SqlOptions;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** an earlier row to keep instead of scoring the example again (incremental re-scoring), or null */
  reuse?(e: Text2SqlExample): ScoredExample | null;
}

/**
 * The failure part of a reason: "timed out after 30000 ms; the worker running it was killed", "result
 * larger than 16 MiB", "refused: ATTACH statements are not allowed". Never a measured time, so the
 * reasons of two runs of one evaluation are the same (the times are in the rows).
 */
const describe = (o: Extract<ExecOutcome, { ok: false }>) =>
  o.error === 'timeout' || o.error === 'too_large' || o.error === 'out_of_memory'
    ? o.message
    : `${o.error}: ${o.message}`;

interface Exec {
  runPred(e: Text2SqlExample, dbPath: string, sql: string): Promise<ExecOutcome>;
  runGold(e: Text2SqlExample, dbPath: string, sql: string): Promise<ExecOutcome>;
  dbExists(path: string): boolean;
}

/** Scores every example; at most `concurrency` examples are in flight so the pool stays busy. */
export async function scoreAll(
  ds: Text2SqlDataset,
  preds: Map<string, string>,
  ctx: ScoreContext,
): Promise<ScoredExample[]> {
  const out: ScoredExample[] = new Array(ds.examples.length);
  const caps = { maxRows: ctx.options.maxRows, maxBytes: ctx.options.maxResultBytes };
  const limits = { timeoutMs: ctx.options.timeout * 1000, ...caps };
  const goldLimits = { timeoutMs: ctx.options.goldTimeout * 1000, ...caps };
  const run = async (e: Text2SqlExample, dbPath: string, sql: string, l: typeof limits): Promise<ExecOutcome> => {
    const o = await ctx.results.get(e.dbId, sql, caps, () => ctx.pool.execute(dbPath, sql, l));
    // a result shared from a query with a larger budget (gold) still has to fit this one
    if (o.ms <= l.timeoutMs || (!o.ok && o.error === 'timeout')) return o;
    return {
      ok: false,
      error: 'timeout',
      message: `timed out after ${l.timeoutMs} ms (the same query, run with a larger budget, took longer)`,
      ms: o.ms,
    };
  };
  const runPred = (e: Text2SqlExample, dbPath: string, sql: string) => run(e, dbPath, sql, limits);
  const runGold = (e: Text2SqlExample, dbPath: string, sql: string) => run(e, dbPath, sql, goldLimits);
  const present = new Map<string, boolean>();
  const dbExists = (path: string) => {
    let yes = present.get(path);
    if (yes === undefined) {
      yes = existsSync(path);
      present.set(path, yes);
    }
    return yes;
  };
  const exec: Exec = { runPred, runGold, dbExists };

  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      if (ctx.signal?.aborted) throw new Error('evaluation aborted');
      const i = next++;
      const e = ds.examples[i];
      if (!e) return;
      out[i] = ctx.reuse?.(e) ?? (await scoreOne(e, ds, preds.get(e.id), ctx, exec));
      ctx.onProgress?.(++done, ds.examples.length);
    }
  };
  // enough examples in flight to fill every worker's batch (the pool sends work in batches)
  const concurrency = Math.max(8, (ctx.options.workers ?? 2) * 32);
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

async function scoreOne(
  e: Text2SqlExample,
  ds: Text2SqlDataset,
  pred: string | undefined,
  ctx: ScoreContext,
  { runPred, runGold, dbExists }: Exec,
): Promise<ScoredExample> {
  const base = { id: e.id, dbId: e.dbId, difficulty: e.difficulty };
  const unscorable = (reason: string, goldMs: number | null = null): ScoredExample => ({
    ...base,
    exSpider: null,
    exBird: null,
    softF1: null,
    vesReward: null,
    reason,
    predMs: null,
    goldMs,
  });
  const dbPath = ds.dbPath(e.dbId);
  if (!dbExists(dbPath)) return unscorable(`database ${e.dbId} is missing`);
  const goldSpiderSql = ctx.options.keepDistinct ? e.goldSql : removeDistinctOnce(e.goldSql);
  const predSql = pred?.trim() ? pred : undefined;
  const predSpiderSql =
    predSql === undefined
      ? undefined
      : ctx.options.keepDistinct
        ? firstStatementQuick(predSql)
        : removeDistinctOnce(firstStatementQuick(predSql));
  // every query of the example at once, so they reach the workers together instead of one round
  // trip after another (a prediction whose gold fails is run for nothing: rare, and harmless)
  const [gold, goldSpiderRun, predBird, predSpiderRun] = await Promise.all([
    runGold(e, dbPath, e.goldSql),
    goldSpiderSql === e.goldSql ? undefined : runGold(e, dbPath, goldSpiderSql),
    predSql === undefined ? undefined : runPred(e, dbPath, predSql),
    predSpiderSql === undefined || predSpiderSql === predSql ? undefined : runPred(e, dbPath, predSpiderSql),
  ]);
  if (!gold.ok) return unscorable(`gold query ${describe(gold)}`, gold.ms);
  const goldSpider = goldSpiderRun ?? gold;
  if (!goldSpider.ok) return unscorable(`gold query (spider form) ${describe(goldSpider)}`, gold.ms);

  if (!predBird) {
    return {
      ...base,
      exSpider: 0,
      exBird: 0,
      softF1: 0,
      vesReward: ctx.options.vesRepeats ? 0 : null,
      reason: 'no prediction',
      predMs: null,
      goldMs: gold.ms,
      goldPreview: preview(gold),
    };
  }
  const predSpider = predSpiderRun ?? predBird;
  const birdOk = predBird.ok && compareOnce(predBird, gold, 'bird', () => +exBird(predBird.rows, gold.rows)) === 1;
  const orderMatters = goldHasOrderBy(e.goldSql);
  const spiderOk =
    predSpider.ok &&
    compareOnce(
      predSpider,
      goldSpider,
      `spider ${orderMatters}`,
      () => +exSpider(predSpider.rows, goldSpider.rows, { orderMatters }),
    ) === 1;
  let reward: number | null = null;
  if (ctx.options.vesRepeats > 0) {
    reward = 0;
    if (birdOk && predSql !== undefined) {
      const limits = {
        timeoutMs: ctx.options.timeout * 1000,
        maxRows: ctx.options.maxRows,
        maxBytes: ctx.options.maxResultBytes,
      };
      const [g, p] = [
        await ctx.pool.time(dbPath, e.goldSql, ctx.options.vesRepeats, limits),
        await ctx.pool.time(dbPath, predSql, ctx.options.vesRepeats, limits),
      ];
      reward = g.ok && p.ok ? vesReward(timeRatio(g.times, p.times), true) : 0;
    }
  }
  const failed = !predBird.ok ? predBird : !predSpider.ok ? predSpider : null;
  return {
    ...base,
    exSpider: spiderOk ? 1 : 0,
    exBird: birdOk ? 1 : 0,
    softF1: predBird.ok ? compareOnce(predBird, gold, 'soft-f1', () => softF1(predBird.rows, gold.rows)) : 0,
    vesReward: reward,
    reason: failed ? `prediction ${describe(failed)}` : undefined,
    predMs: predBird.ms,
    goldMs: gold.ms,
    goldPreview: preview(gold),
    predPreview: preview(predBird),
  };
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
    reason: row.reason,
    predMs: numOrNull(d.pred_ms),
    goldMs: numOrNull(d.gold_ms),
    goldPreview: d.gold_preview as ResultPreview | undefined,
    predPreview: d.pred_preview as ResultPreview | undefined,
  };
}
