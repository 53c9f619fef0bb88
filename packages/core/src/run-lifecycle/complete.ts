import type { CompleteRequest } from '@trueboard/contracts';
import { evaluationRuns, submissions } from '@trueboard/db';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { type Platform, transact } from '../platform';
import { recordReport } from '../results';
import { requireRunner } from '../runners';
import { holdLease } from './lease';
import { catchUpWithLatest } from './rescore';

/**
 * Records the report. Idempotent: a second upload for the same run returns the first result; an
 * upload from a runner whose lease expired is refused and stores nothing.
 */
export async function completeRun(p: Platform, actor: Actor, runId: string, req: CompleteRequest) {
  const r = requireRunner(actor);
  return transact(p, async (tx) => {
    // the run is locked before its result is looked for: an upload that overlaps another of the
    // same report waits here, then finds that result (not a finished run, which would be a 409)
    const [locked] = await tx.db
      .select({ id: evaluationRuns.id })
      .from(evaluationRuns)
      .where(eq(evaluationRuns.id, runId))
      .for('update');
    if (!locked) throw new DomainError('not_found', `run ${runId} not found`);
    const [done] = await tx.db.execute<{ id: string }>(sql`select id from results where run_id = ${runId}`);
    if (done) {
      const [owner] = await tx.db.execute<{ token_id: string }>(
        sql`select ru.token_id from evaluation_runs er join runners ru on ru.id = er.runner_id where er.id = ${runId}`,
      );
      if (owner?.token_id !== r.tokenId) throw new DomainError('not_found', `run ${runId} not found`);
      return { resultId: done.id, duplicate: true };
    }
    const run = await holdLease(tx, r, runId);
    const resultId = await recordReport(tx.db, run, req.report);
    const now = new Date();
    await tx.db
      .update(evaluationRuns)
      .set({ state: 'finished', endedAt: now, progress: 1, progressMessage: 'finished' })
      .where(eq(evaluationRuns.id, runId));
    if (run.kind !== 'rescore') {
      await tx.db
        .update(submissions)
        .set({ state: 'finished', finishedAt: now })
        .where(eq(submissions.id, run.submissionId));
      await recordAudit(
        tx.db,
        { kind: 'system' },
        {
          action: 'submission.finished',
          entityType: 'submission',
          entityId: run.submissionId,
          after: { runId, resultId },
        },
      );
    }
    await catchUpWithLatest(p, tx, run);
    return { resultId, duplicate: false };
  });
}
