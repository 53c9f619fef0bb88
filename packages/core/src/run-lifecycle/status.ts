import { type DbOrTx, evaluationRuns, runLogs } from '@trueboard/db';
import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';

/** A page of run log lines is at most this long; the reader asks again from the last id. */
const LOG_PAGE = 500;

/** A submission's runs, oldest first (every attempt, on every dataset version). */
export async function runsOf(db: DbOrTx, submissionId: string) {
  return db
    .select()
    .from(evaluationRuns)
    .where(eq(evaluationRuns.submissionId, submissionId))
    .orderBy(asc(evaluationRuns.queuedAt), asc(evaluationRuns.attempt));
}

/** 1-based position among queued runs (oldest first). */
export async function queuePositionOf(db: DbOrTx, queuedAt: Date): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(evaluationRuns)
    .where(and(eq(evaluationRuns.state, 'queued'), lt(evaluationRuns.queuedAt, queuedAt)));
  return (r?.n ?? 0) + 1;
}

/** A run's log lines after line id `afterId`, in order. The caller checks who may read them. */
export async function runLogsAfter(db: DbOrTx, runId: string, afterId: number) {
  return db
    .select({ id: runLogs.id, level: runLogs.level, message: runLogs.message, createdAt: runLogs.createdAt })
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), gt(runLogs.id, afterId)))
    .orderBy(asc(runLogs.id))
    .limit(LOG_PAGE);
}
