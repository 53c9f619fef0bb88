import type { Family } from '@trueboard/contracts';
import { evaluationRuns, submissions } from '@trueboard/db';
import { and, eq, sql } from 'drizzle-orm';
import type { Platform, TxContext } from '../platform';

/** Creates the next attempt of a run and puts its job on the queue, in the caller's transaction. */
export async function enqueueRun(
  p: Platform,
  tx: TxContext,
  r: {
    submissionId: string;
    datasetVersionId: string;
    family: Family;
    kind: 'initial' | 'rerun' | 'rescore';
    try?: number;
  },
) {
  const [row] = await tx.db
    .select({ max: sql<number>`coalesce(max(${evaluationRuns.attempt}), 0)::int` })
    .from(evaluationRuns)
    .where(
      and(eq(evaluationRuns.submissionId, r.submissionId), eq(evaluationRuns.datasetVersionId, r.datasetVersionId)),
    );
  const [run] = await tx.db
    .insert(evaluationRuns)
    .values({
      submissionId: r.submissionId,
      datasetVersionId: r.datasetVersionId,
      attempt: (row?.max ?? 0) + 1,
      try: r.try ?? 1,
      kind: r.kind,
    })
    .returning();
  if (!run) throw new Error('run insert returned nothing');
  await p.jobs.send(tx.queueDb, r.family, { runId: run.id });
  return run;
}

/**
 * Queues a fresh evaluation of a submission on its own dataset version and puts the submission back
 * to `queued`, in the caller's transaction (which holds the submission's row lock).
 */
export async function queueRerun(
  p: Platform,
  tx: TxContext,
  s: { submissionId: string; datasetVersionId: string; family: Family },
) {
  const run = await enqueueRun(p, tx, { ...s, kind: 'rerun' });
  await tx.db
    .update(submissions)
    .set({ state: 'queued', queuedAt: new Date(), failureCategory: null, failureMessage: null })
    .where(eq(submissions.id, s.submissionId));
  return run;
}
