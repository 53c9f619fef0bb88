import type { Family } from '@trueboard/contracts';
import { benchmarks, datasetVersions, evaluationRuns } from '@trueboard/db';
import { and, desc, eq } from 'drizzle-orm';
import type { Platform, TxContext } from './platform';
import { enqueueRun } from './submissions';

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
