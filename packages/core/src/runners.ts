import type { ClaimRequest, Family, Job, RegisterRunnerRequest } from '@trueboard/contracts';
import { runners } from '@trueboard/db';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Actor, RunnerActor } from './actor';
import { DomainError } from './errors';
import type { Platform } from './platform';

/** A runner counts as connected while it has called in within this window (claims long-poll ≤ 60 s). */
export const RUNNER_ONLINE_SECONDS = 90;

export function requireRunner(actor: Actor): RunnerActor {
  if (actor.kind !== 'runner') throw new DomainError('unauthorized', 'this endpoint needs a runner token (tbr_…)');
  return actor;
}

export async function registerRunner(p: Platform, actor: Actor, req: RegisterRunnerRequest) {
  const r = requireRunner(actor);
  const [row] = await p.db
    .insert(runners)
    .values({
      tokenId: r.tokenId,
      hostname: req.hostname,
      device: req.device,
      families: req.families,
      version: req.version,
    })
    .returning({ id: runners.id });
  if (!row) throw new Error('runner insert returned nothing');
  return { runnerId: row.id };
}

/** Checks that the runner id belongs to the calling token and marks it seen. */
export async function touchRunner(p: Platform, actor: RunnerActor, runnerId: string) {
  const [row] = await p.db
    .update(runners)
    .set({ lastSeenAt: new Date(), stoppedAt: null })
    .where(and(eq(runners.id, runnerId), eq(runners.tokenId, actor.tokenId)))
    .returning();
  if (!row) throw new DomainError('unauthorized', 'unknown runner id for this token; register again');
  return row;
}

export async function countOnlineRunners(p: Platform): Promise<number> {
  const since = new Date(Date.now() - RUNNER_ONLINE_SECONDS * 1000);
  const [r] = await p.db
    .select({ n: sql<number>`count(*)::int` })
    .from(runners)
    .where(and(gt(runners.lastSeenAt, since), isNull(runners.stoppedAt)));
  return r?.n ?? 0;
}

export async function listOnlineRunners(p: Platform) {
  const since = new Date(Date.now() - RUNNER_ONLINE_SECONDS * 1000);
  return p.db
    .select({
      id: runners.id,
      hostname: runners.hostname,
      device: runners.device,
      families: runners.families,
      version: runners.version,
      lastSeenAt: runners.lastSeenAt,
    })
    .from(runners)
    .where(and(gt(runners.lastSeenAt, since), isNull(runners.stoppedAt)));
}

export type { ClaimRequest, Family, Job };
