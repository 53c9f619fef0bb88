import type { EvaluationReport } from '@trueboard/contracts';
import { type DbOrTx, type evaluationRuns, exampleResults, resultMetrics, results } from '@trueboard/db';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
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
  for (let i = 0; i < report.examples.length; i += CHUNK) {
    await db.insert(exampleResults).values(
      report.examples.slice(i, i + CHUNK).map((e) => ({
        resultId: res.id,
        exampleId: e.id,
        verdict: e.verdict,
        reason: e.reason ?? null,
        data: e.data,
      })),
    );
  }
  return res.id;
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

export async function listExampleResults(
  db: DbOrTx,
  resultId: string,
  opts: { after?: string; limit?: number; verdict?: 'correct' | 'wrong' | 'unscorable' } = {},
) {
  const filter =
    opts.verdict === 'correct'
      ? sql`${exampleResults.verdict} = 1`
      : opts.verdict === 'wrong'
        ? sql`${exampleResults.verdict} < 1`
        : opts.verdict === 'unscorable'
          ? isNull(exampleResults.verdict)
          : undefined;
  return db
    .select()
    .from(exampleResults)
    .where(
      and(
        eq(exampleResults.resultId, resultId),
        opts.after ? gt(exampleResults.exampleId, opts.after) : undefined,
        filter,
      ),
    )
    .orderBy(asc(exampleResults.exampleId))
    .limit(Math.min(opts.limit ?? 200, 1000));
}
