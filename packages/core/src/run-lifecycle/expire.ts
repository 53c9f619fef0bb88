import type { Family } from '@trueboard/contracts';
import { benchmarks, evaluationRuns, submissions } from '@trueboard/db';
import { and, eq, lt } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { type Platform, transact } from '../platform';
import { enqueueRun } from './enqueue';
import { failSubmission } from './fail';

/**
 * Ends attempts whose lease ran out: the job goes back to the queue as attempt + 1, or, after
 * `maxAttempts` tries, the submission fails as `infra`.
 */
export async function sweepExpiredLeases(p: Platform): Promise<number> {
  return transact(p, async (tx) => {
    const expired = await tx.db
      .select({ run: evaluationRuns, family: benchmarks.family })
      .from(evaluationRuns)
      .innerJoin(submissions, eq(submissions.id, evaluationRuns.submissionId))
      .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
      .where(and(eq(evaluationRuns.state, 'running'), lt(evaluationRuns.leaseExpiresAt, new Date())))
      .for('update', { of: evaluationRuns, skipLocked: true });
    for (const { run, family } of expired) {
      await tx.db
        .update(evaluationRuns)
        .set({
          state: 'expired',
          endedAt: new Date(),
          failureCategory: 'infra',
          failureMessage: 'lease expired: the runner stopped reporting',
        })
        .where(eq(evaluationRuns.id, run.id));
      await recordAudit(
        tx.db,
        { kind: 'system' },
        {
          action: 'run.lease_expired',
          entityType: 'submission',
          entityId: run.submissionId,
          after: { runId: run.id, attempt: run.attempt, try: run.try },
        },
      );
      if (run.try >= p.config.maxAttempts) {
        if (run.kind !== 'rescore') {
          await failSubmission(
            tx,
            run.submissionId,
            'infra',
            `runners lost this job ${run.try} times (lease expired each time); an admin can rerun it`,
          );
        }
        continue;
      }
      await enqueueRun(p, tx, {
        submissionId: run.submissionId,
        datasetVersionId: run.datasetVersionId,
        family: family as Family,
        kind: run.kind as 'initial' | 'rerun' | 'rescore',
        try: run.try + 1,
      });
      if (run.kind !== 'rescore')
        await tx.db
          .update(submissions)
          .set({ state: 'queued', queuedAt: new Date() })
          .where(eq(submissions.id, run.submissionId));
    }
    return expired.length;
  });
}
