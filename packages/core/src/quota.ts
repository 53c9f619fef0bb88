import { type DbOrTx, submissions } from '@trueboard/db';
import { and, eq, gt, sql } from 'drizzle-orm';
import { DomainError } from './errors';

/**
 * Enforces the per-team daily quota on a benchmark (rolling 24 hours). Infra failures and admin
 * cancellations set `counts_toward_quota = false` and so give the slot back. Call inside the
 * submitting transaction: the advisory lock serialises concurrent submissions of one team.
 */
export async function checkQuota(db: DbOrTx, teamId: string, benchmarkId: string, limit: number): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota:${teamId}:${benchmarkId}`}))`);
  const since = new Date(Date.now() - 86_400_000);
  const [row] = await db
    .select({ used: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${submissions.submittedAt})` })
    .from(submissions)
    .where(
      and(
        eq(submissions.teamId, teamId),
        eq(submissions.benchmarkId, benchmarkId),
        eq(submissions.countsTowardQuota, true),
        eq(submissions.isBaseline, false),
        gt(submissions.submittedAt, since),
      ),
    );
  const used = row?.used ?? 0;
  if (used >= limit) {
    const oldest = row?.oldest ? new Date(row.oldest) : new Date();
    const freeAt = new Date(oldest.getTime() + 86_400_000);
    throw new DomainError(
      'quota_exceeded',
      `daily quota reached: your team made ${used} of ${limit} submissions to "${benchmarkId}" in the last 24 hours; the next slot frees at ${freeAt.toISOString()}`,
      { used, limit, freeAt: freeAt.toISOString() },
    );
  }
}
