import { benchmarks, evaluationRuns, methods, runners, submissions, teams } from '@trueboard/db';
import { and, asc, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Actor } from './actor';
import type { Platform } from './platform';
import { listOnlineRunners } from './runners';

const RECENT_FAILURES = 20;

/**
 * What /queue shows: queued runs with their position in their family's queue and waiting time,
 * running runs with progress and runner, runners online, and recent failures. Private submissions
 * appear without their method and team unless the caller is an admin.
 */
export async function queueOverview(p: Platform, actor: Actor) {
  const admin = actor.kind === 'user' && actor.isAdmin;
  const live = await p.db
    .select({
      runId: evaluationRuns.id,
      state: evaluationRuns.state,
      kind: evaluationRuns.kind,
      attempt: evaluationRuns.attempt,
      queuedAt: evaluationRuns.queuedAt,
      startedAt: evaluationRuns.startedAt,
      progress: evaluationRuns.progress,
      progressMessage: evaluationRuns.progressMessage,
      runner: runners.hostname,
      submissionId: submissions.id,
      isPublic: submissions.isPublic,
      method: methods.name,
      team: teams.slug,
      benchmark: benchmarks.id,
      family: benchmarks.family,
    })
    .from(evaluationRuns)
    .innerJoin(submissions, eq(submissions.id, evaluationRuns.submissionId))
    .innerJoin(methods, eq(methods.id, submissions.methodId))
    .innerJoin(teams, eq(teams.id, submissions.teamId))
    .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
    .leftJoin(runners, eq(runners.id, evaluationRuns.runnerId))
    .where(inArray(evaluationRuns.state, ['queued', 'running']))
    .orderBy(asc(evaluationRuns.queuedAt));
  const hide = <T extends { isPublic: boolean; method: string; team: string }>(r: T) =>
    r.isPublic || admin ? r : { ...r, method: '(private submission)', team: '' };
  const positions = new Map<string, number>();
  const now = Date.now();
  const queued = live
    .filter((r) => r.state === 'queued')
    .map((r) => {
      const position = (positions.get(r.family) ?? 0) + 1;
      positions.set(r.family, position);
      return { ...hide(r), position, waitingSeconds: Math.round((now - r.queuedAt.getTime()) / 1000) };
    });
  const running = live.filter((r) => r.state === 'running').map(hide);
  const failures = await p.db
    .select({
      submissionId: submissions.id,
      isPublic: submissions.isPublic,
      method: methods.name,
      team: teams.slug,
      benchmark: submissions.benchmarkId,
      failedAt: submissions.failedAt,
      category: submissions.failureCategory,
      message: submissions.failureMessage,
    })
    .from(submissions)
    .innerJoin(methods, eq(methods.id, submissions.methodId))
    .innerJoin(teams, eq(teams.id, submissions.teamId))
    .where(and(eq(submissions.state, 'failed'), isNotNull(submissions.failedAt)))
    .orderBy(desc(submissions.failedAt))
    .limit(RECENT_FAILURES);
  return {
    queued,
    running,
    runners: await listOnlineRunners(p),
    failures: failures.map((f) => (f.isPublic || admin ? f : { ...hide(f), message: '' })),
  };
}
