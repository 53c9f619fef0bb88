import type { EvaluationReport } from '@trueboard/contracts';
import {
  type DbOrTx,
  datasetVersions,
  type evaluationRuns,
  exampleResults,
  resultMetrics,
  results,
} from '@trueboard/db';
import { and, asc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { badInput } from './errors';

type Run = typeof evaluationRuns.$inferSelect;
const CHUNK = 2000;

/** Writes a report as the current result of its submission × dataset version (caller's transaction). */
export async function recordReport(db: DbOrTx, run: Run, report: EvaluationReport): Promise<string> {
  const seen = new Set<string>();
  for (const e of report.examples) {
    if (seen.has(e.id)) throw badInput(`bad input: report: example id "${e.id}" appears twice`);
    seen.add(e.id);
  }
  await db
    .update(results)
    .set({ isCurrent: false })
    .where(
      and(
        eq(results.submissionId, run.submissionId),
        eq(results.datasetVersionId, run.datasetVersionId),
        eq(results.isCurrent, true),
      ),
    );
  const [res] = await db
    .insert(results)
    .values({
      runId: run.id,
      submissionId: run.submissionId,
      datasetVersionId: run.datasetVersionId,
      unscorable: report.unscorable,
      provenance: report.provenance,
      breakdowns: report.breakdowns,
    })
    .returning({ id: results.id });
  if (!res) throw new Error('result insert returned nothing');
  await db.insert(resultMetrics).values(
    report.metrics.map((m) => ({
      resultId: res.id,
      name: m.name,
      semantics: m.semantics,
      value: m.value,
      ciLow: m.ci?.low ?? null,
      ciHigh: m.ci?.high ?? null,
      ciMethod: m.ci?.method ?? null,
      n: m.n,
    })),
  );
  // rows a re-scoring carried over point at the result they came from
  const source = report.examples.some((e) => e.reused) ? await parentResultId(db, run) : null;
  for (let i = 0; i < report.examples.length; i += CHUNK) {
    await db.insert(exampleResults).values(
      report.examples.slice(i, i + CHUNK).map((e) => ({
        resultId: res.id,
        exampleId: e.id,
        verdict: e.verdict,
        reason: e.reason ?? null,
        data: e.data,
        sourceResultId: e.reused ? source : null,
      })),
    );
  }
  // leaderboards of this version are stale now (see leaderboard.ts)
  await db
    .update(datasetVersions)
    .set({ boardStamp: sql`${datasetVersions.boardStamp} + 1` })
    .where(eq(datasetVersions.id, run.datasetVersionId));
  return res.id;
}

async function parentResultId(db: DbOrTx, run: Run): Promise<string | null> {
  const [v] = await db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId));
  return v?.parentId ? ((await currentResultRef(db, run.submissionId, v.parentId))?.id ?? null) : null;
}

/** The id and run of a submission's current result on a dataset version, or null. */
export async function currentResultRef(db: DbOrTx, submissionId: string, versionId: string) {
  const [r] = await db
    .select({ id: results.id, runId: results.runId })
    .from(results)
    .where(
      and(eq(results.submissionId, submissionId), eq(results.datasetVersionId, versionId), eq(results.isCurrent, true)),
    );
  return r ?? null;
}

/** The current result of a submission on a dataset version, with its metrics. */
export async function currentResult(db: DbOrTx, submissionId: string, datasetVersionId: string) {
  const [res] = await db
    .select()
    .from(results)
    .where(
      and(
        eq(results.submissionId, submissionId),
        eq(results.datasetVersionId, datasetVersionId),
        eq(results.isCurrent, true),
      ),
    );
  if (!res) return null;
  const metrics = await db.select().from(resultMetrics).where(eq(resultMetrics.resultId, res.id));
  return { ...res, metrics };
}

export const ExampleFilter = z.object({
  verdict: z.enum(['correct', 'wrong', 'unscorable']).optional(),
  /** one of the family's facets (fields of the rows' data it declares filterable) */
  field: z.string().max(64).optional(),
  value: z.string().max(200).optional(),
  /** an example id to show alone */
  example: z.string().max(200).optional(),
  offset: z.number().int().min(0).max(100_000_000).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
  /** leave out the family's heavy fields of each row's data (what a page shows; see ExampleRows) */
  brief: z.boolean().default(false),
});
export type ExampleFilter = z.input<typeof ExampleFilter>;

/**
 * Per-example results of one result, filtered, in natural id order ("2" before "10"), paged; with
 * the total that matches and the values of the `facets` (the family's filterable fields of the
 * rows' data, for filter menus). `heavy`: the family's fields a brief list leaves out.
 */
export async function listExampleResults(
  db: DbOrTx,
  resultId: string,
  filter: ExampleFilter = {},
  facets: readonly string[] = [],
  heavy: readonly string[] = [],
) {
  const f = ExampleFilter.parse(filter);
  if (f.field !== undefined && !facets.includes(f.field))
    throw badInput(
      `bad input: field: "${f.field}" is not a filter of these examples${facets.length ? ` (filters: ${facets.join(', ')})` : ''}`,
    );
  const where = and(
    eq(exampleResults.resultId, resultId),
    f.verdict === 'correct'
      ? sql`${exampleResults.verdict} = 1`
      : f.verdict === 'wrong'
        ? sql`${exampleResults.verdict} < 1`
        : f.verdict === 'unscorable'
          ? isNull(exampleResults.verdict)
          : undefined,
    f.field && f.value !== undefined ? sql`${exampleResults.data} ->> ${f.field} = ${f.value}` : undefined,
    f.example !== undefined ? eq(exampleResults.exampleId, f.example) : undefined,
  );
  // jsonb minus an array of keys: the heavy fields never leave the database
  const data =
    f.brief && heavy.length
      ? sql<Record<string, unknown>>`${exampleResults.data} - ${sql.param([...heavy])}::text[]`
      : exampleResults.data;
  const rows = await db
    .select({ ...getTableColumns(exampleResults), data })
    .from(exampleResults)
    .where(where)
    .orderBy(sql`length(${exampleResults.exampleId})`, asc(exampleResults.exampleId))
    .offset(f.offset)
    .limit(f.limit);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(exampleResults).where(where);
  const values = facets.length
    ? await db.execute<{ field: string; value: string; n: number }>(sql`
    select k.field, e.data ->> k.field as value, count(*)::int as n
    from ${exampleResults} e cross join unnest(${sql.param([...facets])}::text[]) as k(field)
    where e.result_id = ${resultId} and e.data ->> k.field is not null
    group by 1, 2 order by 1, 2`)
    : [];
  return { rows, total: count?.n ?? 0, facets: [...values] };
}
