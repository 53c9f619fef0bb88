import type { ClaimRequest, Family, Job, RegisterRunnerRequest } from '@trueboard/contracts';
import { runners, runnerTokens } from '@trueboard/db';
import { and, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Actor, RunnerActor } from './actor';
import { DomainError } from './errors';
import type { Platform } from './platform';

/** A runner waiting in a claim long-poll is marked seen this often. */
export const CLAIM_TOUCH_MS = 10_000;

/**
 * A runner counts as connected while it has called in within this window: a claim long-poll marks
 * it seen every CLAIM_TOUCH_MS, a running job's heartbeat every leaseSeconds / 3. A runner that
 * hangs up (its process died or stopped) is retired at once; one that went silent drops out here.
 */
export const onlineWindowSeconds = (leaseSeconds: number) => Math.max(30, Math.ceil(leaseSeconds / 3) + 15);

export function requireRunner(actor: Actor): RunnerActor {
  if (actor.kind === 'anonymous') {
    // a token that resolves to nobody: unknown, revoked or expired (or none was sent)
    throw new DomainError(
      'unauthorized',
      'no valid runner token: the one sent is unknown, revoked or expired, or none was sent (an admin creates one with `trueboard token create --runner`)',
    );
  }
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

/**
 * Marks a runner gone when the claim it was waiting in was hung up (its process exited), unless it
 * has called in since `seenAt`. It comes back with its next call.
 */
export async function retireRunner(p: Platform, runnerId: string, seenAt: Date) {
  await p.db
    .update(runners)
    .set({ stoppedAt: new Date() })
    .where(and(eq(runners.id, runnerId), isNull(runners.stoppedAt), lte(runners.lastSeenAt, seenAt)));
}

/** Runners seen within the online window, not stopped, whose token is still valid. */
function online(p: Platform) {
  const since = new Date(Date.now() - onlineWindowSeconds(p.config.leaseSeconds) * 1000);
  return and(gt(runners.lastSeenAt, since), isNull(runners.stoppedAt), isNull(runnerTokens.revokedAt));
}

export async function countOnlineRunners(p: Platform): Promise<number> {
  const [r] = await p.db
    .select({ n: sql<number>`count(*)::int` })
    .from(runners)
    .innerJoin(runnerTokens, eq(runnerTokens.id, runners.tokenId))
    .where(online(p));
  return r?.n ?? 0;
}

export async function listOnlineRunners(p: Platform) {
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
    .innerJoin(runnerTokens, eq(runnerTokens.id, runners.tokenId))
    .where(online(p));
}

export type { ClaimRequest, Family, Job };
