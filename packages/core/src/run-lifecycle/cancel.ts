import { evaluationRuns } from '@trueboard/db';
import { and, eq, sql } from 'drizzle-orm';
import type { TxContext } from '../platform';

const live = (submissionId: string) =>
  and(eq(evaluationRuns.submissionId, submissionId), sql`${evaluationRuns.state} in ('queued', 'running')`);

/**
 * Locks a submission's queued and running runs (in id order). A cancel takes these locks before the
 * submission's row: the order completeRun, claimOne and failRun lock them in, so a cancel racing an
 * upload waits instead of deadlocking.
 */
export async function lockLiveRuns(tx: TxContext, submissionId: string): Promise<void> {
  await tx.db
    .select({ id: evaluationRuns.id })
    .from(evaluationRuns)
    .where(live(submissionId))
    .orderBy(evaluationRuns.id)
    .for('update');
}

/** Ends a submission's queued and running runs as cancelled; a runner holding one learns it at its next heartbeat. */
export async function cancelLiveRuns(tx: TxContext, submissionId: string, now: Date): Promise<void> {
  await tx.db
    .update(evaluationRuns)
    .set({ state: 'cancelled', endedAt: now, leaseExpiresAt: null })
    .where(live(submissionId));
}
