import type { Family } from '@trueboard/contracts';
import { benchmarks, datasetVersions, evaluationRuns, exampleResults } from '@trueboard/db';
import { and, desc, eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import { notFound } from '../errors';
import { type Platform, type TxContext, transact } from '../platform';
import { currentResultRef } from '../results';
import { requireRunner } from '../runners';
import { enqueueRun } from './enqueue';
import { holdLease } from './lease';

/**
 * A result that lands on a version older than the benchmark's latest release (the submission was
 * queued before a release, or a rescore ran while another release happened) queues a re-scoring on
 * the latest version, so every submission ends up on the current board.
 */
export async function catchUpWithLatest(p: Platform, tx: TxContext, run: typeof evaluationRuns.$inferSelect) {
  const [info] = await tx.db
    .select({ benchmarkId: datasetVersions.benchmarkId, family: benchmarks.family })
    .from(datasetVersions)
    .innerJoin(benchmarks, eq(benchmarks.id, datasetVersions.benchmarkId))
    .where(eq(datasetVersions.id, run.datasetVersionId));
  if (!info) return;
  const [latest] = await tx.db
    .select({ id: datasetVersions.id })
    .from(datasetVersions)
    .where(and(eq(datasetVersions.benchmarkId, info.benchmarkId), eq(datasetVersions.status, 'released')))
    .orderBy(desc(datasetVersions.number))
    .limit(1);
  if (!latest || latest.id === run.datasetVersionId) return;
  const [already] = await tx.db
    .select({ id: evaluationRuns.id })
    .from(evaluationRuns)
    .where(and(eq(evaluationRuns.submissionId, run.submissionId), eq(evaluationRuns.datasetVersionId, latest.id)))
    .limit(1);
  if (already) return;
  await enqueueRun(p, tx, {
    submissionId: run.submissionId,
    datasetVersionId: latest.id,
    family: info.family as Family,
    kind: 'rescore',
  });
}

/**
 * The per-example rows a re-scoring run may reuse: the submission's current result on the parent
 * version. Only the runner holding the run's lease may read them.
 */
export async function previousExamples(p: Platform, actor: Actor, runId: string) {
  const r = requireRunner(actor);
  const run = await transact(p, (tx) => holdLease(tx, r, runId));
  const [v] = await p.db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId));
  const prev = v?.parentId ? await currentResultRef(p.db, run.submissionId, v.parentId) : null;
  if (!prev) throw notFound('a previous result of this submission');
  const rows = await p.db
    .select({
      id: exampleResults.exampleId,
      verdict: exampleResults.verdict,
      reason: exampleResults.reason,
      data: exampleResults.data,
    })
    .from(exampleResults)
    .where(eq(exampleResults.resultId, prev.id));
  return {
    runId: prev.runId,
    examples: rows.map((e) => ({
      id: e.id,
      verdict: e.verdict,
      data: e.data,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
  };
}
