import type { FailRequest } from '@trueboard/contracts';
import { evaluationRuns, submissions } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit';
import { type Platform, type TxContext, transact } from '../platform';
import { requireRunner } from '../runners';
import { holdLease } from './lease';

export async function failRun(p: Platform, actor: Actor, runId: string, req: FailRequest) {
  const r = requireRunner(actor);
  await transact(p, async (tx) => {
    const run = await holdLease(tx, r, runId);
    const now = new Date();
    await tx.db
      .update(evaluationRuns)
      .set({ state: 'failed', endedAt: now, failureCategory: req.category, failureMessage: req.message })
      .where(eq(evaluationRuns.id, runId));
    if (run.kind !== 'rescore') await failSubmission(tx, run.submissionId, req.category, req.message);
  });
}

/** Marks a submission failed after its run failed (or ran out of tries), with an audit entry. */
export async function failSubmission(
  tx: TxContext,
  submissionId: string,
  category: FailRequest['category'],
  message: string,
) {
  await tx.db
    .update(submissions)
    .set({
      state: 'failed',
      failedAt: new Date(),
      failureCategory: category,
      failureMessage: message,
      // the platform's own failures never cost the team a quota slot
      ...(category === 'infra' ? { countsTowardQuota: false } : {}),
    })
    .where(eq(submissions.id, submissionId));
  await recordAudit(
    tx.db,
    { kind: 'system' },
    {
      action: 'submission.failed',
      entityType: 'submission',
      entityId: submissionId,
      after: { category, message },
    },
  );
}
