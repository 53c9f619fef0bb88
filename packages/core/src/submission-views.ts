import { benchmarks, datasetVersions, memberships, methods, submissions, teams } from '@trueboard/db';
import { desc, eq } from 'drizzle-orm';
import type { Actor } from './actor';
import { DomainError, notFound } from './errors';
import { methodColumns } from './methods';
import type { Platform } from './platform';
import { queuePositionOf, runLogsAfter, runsOf } from './run-lifecycle';
import { submissionPermissions } from './submissions';
import { roleIn } from './teams';

/** Whether the actor may see a submission: public ones are visible to all. */
export async function canSee(p: Platform, actor: Actor, s: { isPublic: boolean; teamId: string }) {
  if (s.isPublic) return true;
  return (await roleIn(p.db, actor, s.teamId)) !== null;
}

export async function getSubmission(p: Platform, actor: Actor, id: string) {
  const [row] = await p.db
    .select({
      s: submissions,
      method: methodColumns,
      team: { slug: teams.slug, name: teams.name },
      benchmark: { id: benchmarks.id, name: benchmarks.name, family: benchmarks.family },
      version: datasetVersions.number,
    })
    .from(submissions)
    .innerJoin(methods, eq(methods.id, submissions.methodId))
    .innerJoin(teams, eq(teams.id, submissions.teamId))
    .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
    .innerJoin(datasetVersions, eq(datasetVersions.id, submissions.datasetVersionId))
    .where(eq(submissions.id, id));
  if (!row || !(await canSee(p, actor, row.s))) throw notFound('submission');
  const runs = await runsOf(p.db, id);
  const live = runs.find((r) => r.state === 'queued');
  const queuePosition = live ? await queuePositionOf(p.db, live.queuedAt) : null;
  const permissions = await submissionPermissions(p.db, actor, row.s);
  return {
    ...row.s,
    method: row.method,
    team: row.team,
    benchmark: row.benchmark,
    datasetVersion: row.version,
    runs,
    queuePosition,
    permissions,
  };
}

async function myTeamIds(p: Platform, actor: Actor): Promise<Set<string> | 'all'> {
  if (actor.kind !== 'user') return new Set();
  if (actor.isAdmin) return 'all';
  const rows = await p.db
    .select({ id: memberships.teamId })
    .from(memberships)
    .where(eq(memberships.userId, actor.userId));
  return new Set(rows.map((r) => r.id));
}

export async function listSubmissions(p: Platform, actor: Actor, benchmarkId: string) {
  const rows = await p.db
    .select({
      id: submissions.id,
      state: submissions.state,
      isPublic: submissions.isPublic,
      isBaseline: submissions.isBaseline,
      teamId: submissions.teamId,
      team: teams.slug,
      method: methods.name,
      submittedAt: submissions.submittedAt,
    })
    .from(submissions)
    .innerJoin(methods, eq(methods.id, submissions.methodId))
    .innerJoin(teams, eq(teams.id, submissions.teamId))
    .where(eq(submissions.benchmarkId, benchmarkId))
    .orderBy(desc(submissions.submittedAt));
  const mine = await myTeamIds(p, actor);
  return rows.filter((r) => r.isPublic || mine === 'all' || mine.has(r.teamId));
}

/**
 * A page of one run's log lines after line `afterId`, for whoever may see the submission; a run of
 * another submission is "not found", like a submission the caller may not see.
 */
export async function submissionLogs(
  p: Platform,
  actor: Actor,
  q: { submissionId: string; runId: string; afterId: number },
) {
  const s = await getSubmission(p, actor, q.submissionId);
  if (!s.runs.some((r) => r.id === q.runId)) throw new DomainError('not_found', 'run not found');
  return runLogsAfter(p.db, q.runId, q.afterId);
}
