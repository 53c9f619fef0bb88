import { corrections, type DbOrTx } from '@trueboard/db';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { UserActor } from './actor';
import { DomainError } from './errors';
import type { Platform } from './platform';

const HOUR_MS = 3_600_000;

/**
 * Proposals of one user in this process that have no corrections row yet: those being made now. Every
 * proposal that passes its input checks is stored (a runner validates it later), so the table counts
 * the rest, invalid ones included.
 */
interface Unrecorded {
  running: number;
}

const unrecorded = new WeakMap<Platform, Map<string, Unrecorded>>();

function unrecordedOf(p: Platform, userId: string): Unrecorded {
  let byUser = unrecorded.get(p);
  if (!byUser) {
    byUser = new Map();
    unrecorded.set(p, byUser);
  }
  let u = byUser.get(userId);
  if (!u) {
    u = { running: 0 };
    byUser.set(userId, u);
  }
  return u;
}

async function recorded(db: DbOrTx, userId: string): Promise<{ n: number; oldest: number | null }> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${corrections.createdAt})` })
    .from(corrections)
    .where(and(eq(corrections.proposedBy, userId), gt(corrections.createdAt, new Date(Date.now() - HOUR_MS))));
  return { n: row?.n ?? 0, oldest: row?.oldest ? new Date(row.oldest).getTime() : null };
}

function exceeded(used: number, limit: number, wanted: number, oldest: number | null): DomainError {
  // the oldest counted proposal leaves the window first; with none, only proposals being made count
  const freeAt = new Date(oldest === null ? Date.now() + 60_000 : oldest + HOUR_MS).toISOString();
  const what =
    wanted === 1
      ? `you made ${used} of ${limit} correction proposals allowed per hour`
      : `this import makes ${wanted} correction proposals, and you made ${used} of ${limit} allowed per hour`;
  return new DomainError('quota_exceeded', `rate limit: ${what}; try again after ${freeAt}`, {
    used,
    limit,
    wanted,
    freeAt,
  });
}

/** The user's proposals counted against the hourly limit, from the table and this process. */
async function used(p: Platform, userId: string) {
  const rows = await recorded(p.db, userId);
  return { n: rows.n + unrecordedOf(p, userId).running, oldest: rows.oldest };
}

/**
 * Refuses with `quota_exceeded` when `wanted` more proposals would pass the user's hourly limit
 * (`TRUEBOARD_PROPOSALS_PER_HOUR`). Platform admins are exempt.
 */
export async function checkProposalRate(p: Platform, u: UserActor, wanted = 1): Promise<void> {
  if (u.isAdmin) return;
  const limit = p.config.proposalsPerHour;
  const { n, oldest } = await used(p, u.userId);
  if (n + wanted > limit) throw exceeded(n, limit, wanted, oldest);
}

/** One proposal being made: it counts while it is, and by its row after. */
export interface ProposalAttempt {
  /** in the inserting transaction: the limit holds across processes too */
  recheck(tx: DbOrTx): Promise<void>;
  end(): void;
}

const unlimited: ProposalAttempt = { recheck: async () => {}, end: () => {} };

/**
 * Starts a rate-limited proposal: checks the limit, then counts the proposal as running until
 * `end()`, when its row (if its input was good) counts instead.
 */
export async function beginProposal(p: Platform, u: UserActor): Promise<ProposalAttempt> {
  if (u.isAdmin) return unlimited;
  await checkProposalRate(p, u);
  const mine = unrecordedOf(p, u.userId);
  mine.running++;
  let ended = false;
  return {
    async recheck(tx) {
      // serialise this user's inserts; proposals committed by other processes count here
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`proposals:${u.userId}`}))`);
      const limit = p.config.proposalsPerHour;
      const rows = await recorded(tx, u.userId);
      if (rows.n + 1 > limit) throw exceeded(rows.n, limit, 1, rows.oldest);
    },
    end() {
      if (ended) return;
      ended = true;
      mine.running--;
      if (!mine.running) unrecorded.get(p)?.delete(u.userId);
    },
  };
}
