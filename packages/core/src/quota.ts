import { artifacts, auditEvents, type DbOrTx, submissions } from '@trueboard/db';
import { and, eq, gt, sql } from 'drizzle-orm';
import { DomainError } from './errors';
import { formatBytes } from './storage';

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

export interface UserDailyLimits {
  submissions: number;
  bytes: number;
}

/**
 * Enforces the per-user limits over a rolling 24 hours, across every team and benchmark (teams are
 * free to create, so a per-team quota alone bounds nothing). Returns the artifact bytes the user
 * may still upload; `incoming` counts an upload whose size is already known.
 */
export async function checkUserQuota(
  db: DbOrTx,
  userId: string,
  limits: UserDailyLimits,
  incoming = 0,
): Promise<number> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota-user:${userId}`}))`);
  const since = new Date(Date.now() - 86_400_000);
  const [row] = await db
    .select({
      used: sql<number>`count(*)::int`,
      bytes: sql<number>`coalesce(sum(${artifacts.size}), 0)::bigint`,
      oldest: sql<Date | null>`min(${submissions.submittedAt})`,
    })
    .from(submissions)
    .innerJoin(artifacts, eq(artifacts.sha256, submissions.artifactSha256))
    .where(
      and(
        eq(submissions.submittedBy, userId),
        eq(submissions.countsTowardQuota, true),
        eq(submissions.isBaseline, false),
        gt(submissions.submittedAt, since),
      ),
    );
  const used = row?.used ?? 0;
  const bytes = Number(row?.bytes ?? 0);
  const freeAt = new Date((row?.oldest ? new Date(row.oldest).getTime() : Date.now()) + 86_400_000).toISOString();
  if (used >= limits.submissions) {
    throw new DomainError(
      'quota_exceeded',
      `daily quota reached: you made ${used} of ${limits.submissions} submissions in the last 24 hours (all teams); the next slot frees at ${freeAt}`,
      { used, limit: limits.submissions, freeAt },
    );
  }
  const remaining = limits.bytes - bytes;
  if (incoming > remaining) throw uploadQuotaExceeded(bytes, limits.bytes, freeAt);
  return remaining;
}

export function uploadQuotaExceeded(usedBytes: number, limit: number, freeAt?: string): DomainError {
  return new DomainError(
    'quota_exceeded',
    `daily upload quota reached: you uploaded ${formatBytes(usedBytes)} of ${formatBytes(limit)} in the last 24 hours (all teams), and this artifact does not fit${freeAt ? `; space frees from ${freeAt}` : ''}`,
    { usedBytes, limit, ...(freeAt ? { freeAt } : {}) },
  );
}

/** At most `limit` teams created per user in a rolling 24 hours (counted from the audit log). */
export async function checkTeamCreationQuota(db: DbOrTx, userId: string, limit: number): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota-teams:${userId}`}))`);
  const since = new Date(Date.now() - 86_400_000);
  const [row] = await db
    .select({ used: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.actorUserId, userId),
        eq(auditEvents.action, 'team.created'),
        gt(auditEvents.createdAt, since),
      ),
    );
  const used = row?.used ?? 0;
  if (used >= limit) {
    throw new DomainError(
      'quota_exceeded',
      `you created ${used} teams in the last 24 hours, the limit is ${limit}; try again tomorrow or ask a platform admin`,
      { used, limit },
    );
  }
}
