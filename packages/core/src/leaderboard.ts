import type {
  BoardColumn,
  ExtraCell,
  Leaderboard,
  LeaderboardColumn,
  LeaderboardRow,
  MetricCell,
  MetricDefinition,
} from '@trueboard/contracts';
import { Slug, VersionNumber } from '@trueboard/contracts';
import {
  benchmarks,
  type DbOrTx,
  datasetVersions,
  methods,
  resultMetrics,
  results,
  submissions,
  teams,
} from '@trueboard/db';
import { rankGroups } from '@trueboard/metrics';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parse } from './accounts';
import { badInput, notFound } from './errors';
import { familyColumns, primarySemanticsOf } from './families';
import { tiesWithAbove } from './paired-ties';
import type { Platform } from './platform';

export const LeaderboardQuery = z.object({
  benchmark: Slug,
  /** dataset version number; default: the latest released one */
  version: VersionNumber.optional(),
  /** column key `name/semantics`; default: the primary column */
  sort: z.string().max(200).optional(),
  /** default: the column's better direction first */
  dir: z.enum(['asc', 'desc']).optional(),
  team: z.string().max(64).optional(),
  tag: z.string().max(64).optional(),
  baseline: z.enum(['all', 'only', 'exclude']).default('all'),
  offset: z.number().int().min(0).max(100_000_000).default(0),
  limit: z.number().int().min(1).max(100_000).default(200),
});
export type LeaderboardQuery = z.input<typeof LeaderboardQuery>;

/** Page size of the leaderboard page (exports take every row). */
export const LEADERBOARD_PAGE = 100;

/**
 * The leaderboard query from URL parameters, shared by the page and the CSV/JSON export so the
 * export holds exactly what the page shows: `v`, `sort`, `dir`, `team`, `tag`, `baseline`, `page`.
 * Unknown or malformed values are ignored (a shared URL never breaks the page).
 */
export function leaderboardQueryFromParams(
  benchmark: string,
  get: (name: string) => string | null | undefined,
  opts: { all?: boolean } = {},
): LeaderboardQuery {
  const v = Number(get('v'));
  // a page past the offset bound is as empty as any page past the end
  const page = Math.min(1_000_000, Math.max(1, Math.floor(Number(get('page')) || 1)));
  const dir = get('dir');
  const baseline = get('baseline');
  // values over the schema's bounds are ignored like any other malformed value
  const short = (name: string, max: number) => {
    const x = get(name);
    return x && x.length <= max ? x : undefined;
  };
  return {
    benchmark,
    version: Number.isInteger(v) && v > 0 && v <= 1_000_000 ? v : undefined,
    sort: short('sort', 200),
    dir: dir === 'asc' || dir === 'desc' ? dir : undefined,
    team: short('team', 64),
    tag: short('tag', 64),
    baseline: baseline === 'only' || baseline === 'exclude' ? baseline : 'all',
    offset: opts.all ? 0 : (page - 1) * LEADERBOARD_PAGE,
    limit: opts.all ? 100_000 : LEADERBOARD_PAGE,
  };
}

// the board's shape lives in the contracts, where the API's output schema reads it too
export type { ExtraCell, Leaderboard, LeaderboardColumn, LeaderboardRow, MetricCell } from '@trueboard/contracts';
export type { TieTest, TieWithAbove } from './paired-ties';

const columnKey = (name: string, semantics: string) => `${name}/${semantics}`;

/** The (name, semantics) pairs reported on a version, primary first, in the manifest's metric order. */
async function columnsOf(
  db: DbOrTx,
  versionId: string,
  defs: MetricDefinition[],
  primaryMetric: string,
  primarySemantics?: string,
) {
  const rows = await db.execute<{ name: string; semantics: string }>(sql`
    select distinct rm.name, rm.semantics from ${resultMetrics} rm
    where rm.result_id = (select r.id from ${results} r where r.dataset_version_id = ${versionId} and r.is_current limit 1)`);
  const order = new Map(defs.map((d, i) => [d.name, i]));
  const cols = [...rows]
    .map((r): LeaderboardColumn => {
      const d = defs.find((x) => x.name === r.name);
      return {
        key: columnKey(r.name, r.semantics),
        name: r.name,
        semantics: r.semantics,
        label: d?.label ?? r.name,
        unit: d?.unit ?? 'ratio',
        higherIsBetter: d?.higherIsBetter ?? true,
        primary: false,
      };
    })
    .sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99) || a.semantics.localeCompare(b.semantics));
  const primary =
    cols.find(
      (c) => c.name === primaryMetric && (primarySemantics === undefined || c.semantics === primarySemantics),
    ) ?? cols.find((c) => c.name === primaryMetric);
  if (primary) {
    primary.primary = true;
    cols.splice(cols.indexOf(primary), 1);
    cols.unshift(primary);
  }
  return cols;
}

/**
 * A benchmark's leaderboard on one dataset version: every public submission with a current result
 * there, ranked by the primary column (competition rank, and tie groups computed over the whole
 * board: chains of adjacent entries a paired test cannot separate, see paired-ties.ts), then
 * filtered, sorted by any column and paged. Reads one query per table: the ranking values of all
 * entries, the top entries' verdicts, then details and metrics for the page only.
 */
export async function leaderboard(p: Platform, input: LeaderboardQuery) {
  const q = parse(LeaderboardQuery, input, 'leaderboard query');
  // the benchmark and its versions in one round trip: this runs on every leaderboard read
  const joined = await p.db
    .select({
      b: benchmarks,
      v: {
        id: datasetVersions.id,
        number: datasetVersions.number,
        createdAt: datasetVersions.createdAt,
        status: datasetVersions.status,
        boardStamp: datasetVersions.boardStamp,
      },
    })
    .from(benchmarks)
    .leftJoin(datasetVersions, eq(datasetVersions.benchmarkId, benchmarks.id))
    .where(eq(benchmarks.id, q.benchmark))
    .orderBy(desc(datasetVersions.number));
  const b = joined[0]?.b;
  if (!b) throw notFound(`benchmark "${q.benchmark}"`);
  const versions = joined.flatMap((r) => (r.v ? [r.v] : []));
  // a board is recomputed only when a result, a version or a version's status changed since
  const stamp = versions.map((v) => `${v.number}:${v.status}:${v.boardStamp}`).join(',');
  const cache = boardCache(p);
  const key = JSON.stringify(q);
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.board;
  }
  const board = await computeBoard(p, q, b, versions);
  cache.set(key, { stamp, board });
  for (const k of cache.keys()) {
    if (cache.size <= BOARD_CACHE_SIZE) break;
    cache.delete(k);
  }
  return board;
}

const BOARD_CACHE_SIZE = 500;
const boardCaches = new WeakMap<Platform, Map<string, { stamp: string; board: Leaderboard }>>();
function boardCache(p: Platform) {
  let c = boardCaches.get(p);
  if (!c) {
    c = new Map();
    boardCaches.set(p, c);
  }
  return c;
}

async function computeBoard(
  p: Platform,
  q: z.infer<typeof LeaderboardQuery>,
  b: typeof benchmarks.$inferSelect,
  versions: { id: string; number: number; createdAt: Date; status: string; boardStamp: number }[],
): Promise<Leaderboard> {
  const released = versions.filter((v) => v.status === 'released');
  const version = q.version === undefined ? released[0] : versions.find((v) => v.number === q.version);
  if (!version)
    throw notFound(q.version === undefined ? `a released version of "${b.id}"` : `version ${q.version} of "${b.id}"`);

  const columns = await columnsOf(p.db, version.id, b.metrics, b.primaryMetric, primarySemanticsOf(p, b));
  const extraColumns: BoardColumn[] = [...familyColumns(p, b.family)];
  const benchmark = {
    id: b.id,
    name: b.name,
    family: b.family,
    description: b.description,
    primaryMetric: b.primaryMetric,
    metrics: b.metrics,
  };
  const base = {
    benchmark,
    versions: versions.map(({ id: _, boardStamp: __, ...v }) => v),
    version: version.number,
    columns,
    extraColumns,
  };
  const primary = columns[0];
  if (!primary) return { ...base, sort: null, total: 0, rows: [] as LeaderboardRow[] };
  const sortCol = q.sort === undefined ? primary : columns.find((c) => c.key === q.sort);
  if (!sortCol)
    throw badInput(`bad input: sort: no column "${q.sort}" (columns: ${columns.map((c) => c.key).join(', ')})`);
  const dir = q.dir ?? (sortCol.higherIsBetter ? 'desc' : 'asc');

  // 1. the ranking values of every public entry on this version
  const entries = await p.db
    .select({
      resultId: results.id,
      submissionId: submissions.id,
      teamId: submissions.teamId,
      methodId: submissions.methodId,
      isBaseline: submissions.isBaseline,
      value: resultMetrics.value,
      ciLow: resultMetrics.ciLow,
      ciHigh: resultMetrics.ciHigh,
      n: resultMetrics.n,
    })
    .from(results)
    .innerJoin(submissions, eq(submissions.id, results.submissionId))
    .innerJoin(
      resultMetrics,
      and(
        eq(resultMetrics.resultId, results.id),
        eq(resultMetrics.name, primary.name),
        eq(resultMetrics.semantics, primary.semantics),
      ),
    )
    .where(and(eq(results.datasetVersionId, version.id), eq(results.isCurrent, true), eq(submissions.isPublic, true)))
    .orderBy(
      primary.higherIsBetter ? desc(resultMetrics.value) : asc(resultMetrics.value),
      asc(submissions.submittedAt),
    );
  const ties = await tiesWithAbove(p, entries);
  const ranks = rankGroups(entries, { tiedWithPrevious: (i) => ties[i]?.tied });

  // 2. filters, on the ranked board
  let keep = entries.map((e, i) => ({
    ...e,
    ...(ranks[i] ?? { rank: 0, group: 0, tied: false }),
    tie: ties[i] ?? null,
  }));
  if (q.baseline !== 'all') keep = keep.filter((e) => e.isBaseline === (q.baseline === 'only'));
  if (q.team) {
    const [t] = await p.db.select({ id: teams.id }).from(teams).where(eq(teams.slug, q.team));
    keep = keep.filter((e) => e.teamId === t?.id);
  }
  if (q.tag) {
    const tagged = await p.db
      .select({ id: methods.id })
      .from(methods)
      .where(sql`${q.tag.toLowerCase()} = any(${methods.tags})`);
    const ids = new Set(tagged.map((m) => m.id));
    keep = keep.filter((e) => ids.has(e.methodId));
  }

  // 3. sort by the chosen column
  const sign = dir === 'desc' ? -1 : 1;
  if (sortCol !== primary || dir !== (primary.higherIsBetter ? 'desc' : 'asc')) {
    const values = new Map<string, number>();
    if (sortCol === primary) for (const e of keep) values.set(e.resultId, e.value);
    else {
      for (let i = 0; i < keep.length; i += 10_000) {
        const ids = keep.slice(i, i + 10_000).map((e) => e.resultId);
        const rows = await p.db
          .select({ resultId: resultMetrics.resultId, value: resultMetrics.value })
          .from(resultMetrics)
          .where(
            and(
              inArray(resultMetrics.resultId, ids),
              eq(resultMetrics.name, sortCol.name),
              eq(resultMetrics.semantics, sortCol.semantics),
            ),
          );
        for (const r of rows) values.set(r.resultId, r.value);
      }
    }
    // entries without the column go last, whatever the direction
    const v = (id: string) => values.get(id);
    keep = [...keep].sort((a, b) => {
      const [x, y] = [v(a.resultId), v(b.resultId)];
      if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? a.rank - b.rank : 1) : -1;
      return sign * (x - y) || a.rank - b.rank;
    });
  }

  // 4. details of the page
  const page = keep.slice(q.offset, q.offset + q.limit);
  const ids = page.map((e) => e.resultId);
  const details = ids.length
    ? await p.db
        .select({
          resultId: results.id,
          unscorable: results.unscorable,
          method: methods.name,
          tags: methods.tags,
          hyperparameters: methods.hyperparameters,
          team: teams.slug,
          submittedAt: submissions.submittedAt,
        })
        .from(results)
        .innerJoin(submissions, eq(submissions.id, results.submissionId))
        .innerJoin(methods, eq(methods.id, submissions.methodId))
        .innerJoin(teams, eq(teams.id, submissions.teamId))
        .where(inArray(results.id, ids))
    : [];
  const metricRows = ids.length
    ? await p.db.select().from(resultMetrics).where(inArray(resultMetrics.resultId, ids))
    : [];
  const byId = new Map(details.map((d) => [d.resultId, d]));
  const metricsOf = new Map<string, Record<string, MetricCell>>();
  for (const m of metricRows) {
    const cells = metricsOf.get(m.resultId) ?? {};
    cells[columnKey(m.name, m.semantics)] = { value: m.value, ciLow: m.ciLow, ciHigh: m.ciHigh, n: m.n };
    metricsOf.set(m.resultId, cells);
  }
  const rows: LeaderboardRow[] = page.flatMap((e) => {
    const d = byId.get(e.resultId);
    if (!d) return [];
    return [
      {
        rank: e.rank,
        group: e.group,
        tied: e.tied,
        tie: e.tie,
        submissionId: e.submissionId,
        resultId: e.resultId,
        method: d.method,
        methodId: e.methodId,
        team: d.team,
        tags: d.tags,
        isBaseline: e.isBaseline,
        submittedAt: d.submittedAt,
        unscorable: d.unscorable,
        extra: Object.fromEntries(extraColumns.map((c) => [c.key, extraCell(d.hyperparameters[c.hyperparameter])])),
        metrics: metricsOf.get(e.resultId) ?? {},
      },
    ];
  });
  return { ...base, sort: { key: sortCol.key, dir }, total: keep.length, rows };
}

/** A hyperparameter as a cell: scalars as given, anything else (a list, an object) as its JSON. */
function extraCell(v: unknown): ExtraCell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
