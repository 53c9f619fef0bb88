import type { CorrectionValidationState, Family } from '@trueboard/contracts';
import { corrections, correctionValidations, type DbOrTx } from '@trueboard/db';
import { and, eq, inArray } from 'drizzle-orm';
import { conflict } from './errors';
import { familyModule } from './families';
import type { Platform } from './platform';
import { listOnlineRunners } from './runners';

/*
 * A proposal's check is a small runner job of its family (correction-validation-jobs.ts): the web
 * and API process never executes a gold. This module starts the check with the proposal, reads
 * where it stands (computing `unvalidated` when no runner answered in time, on read, so it holds
 * whatever process serves the API), and refuses to approve or release an invalid proposal.
 */

type ValidationRow = typeof correctionValidations.$inferSelect;

/**
 * Starts the check of a new proposal, in the proposing transaction: `validating` until a runner of
 * the family answers. A family whose module has no validator has nothing to execute: `unvalidated`.
 */
export async function startValidation(
  p: Platform,
  tx: DbOrTx,
  c: { id: string; family: string; example: Record<string, string> },
) {
  const validates = familyModule(p, c.family)?.correctionValidator !== undefined;
  const [row] = await tx
    .insert(correctionValidations)
    .values({
      correctionId: c.id,
      family: c.family,
      example: c.example,
      ...(validates
        ? {}
        : {
            status: 'unvalidated',
            message: `the ${c.family} family has no correction validator`,
            answeredAt: new Date(),
          }),
    })
    .returning();
  if (!row) throw new Error('correction validation insert returned nothing');
  return row;
}

/** What a proposal's check shows now; `online` holds the families with a runner online (see runners.ts). */
export function validationView(
  p: Platform,
  row: ValidationRow | undefined,
  online: ReadonlySet<string>,
  now = Date.now(),
): CorrectionValidationState {
  if (!row) return { status: 'unvalidated', message: 'never validated', runnerId: null, answeredAt: null, attempts: 0 };
  const view: CorrectionValidationState = {
    status: row.status as CorrectionValidationState['status'],
    message: row.message,
    runnerId: row.runnerId,
    answeredAt: row.answeredAt,
    attempts: row.attempts,
  };
  if (row.status !== 'validating') return view;
  const leased = row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() > now;
  // waiting since it became claimable, or since the lease of a runner that stopped answering ran out
  const since = Math.max(row.availableAt.getTime(), row.leaseExpiresAt?.getTime() ?? 0);
  const wait = p.config.validationWaitSeconds;
  if (leased || now - since < wait * 1000) return view;
  const why = online.has(row.family)
    ? `no ${row.family} runner took it within ${wait} s`
    : `no ${row.family} runner was online for ${wait} s`;
  // a runner that comes later still claims it: the stored row stays `validating`
  return { ...view, status: 'unvalidated', message: row.message ? `${why} (${row.message})` : why };
}

/** The families that have a runner online now. */
export async function onlineFamilies(p: Platform): Promise<Set<Family>> {
  return new Set((await listOnlineRunners(p)).flatMap((r) => r.families as Family[]));
}

/** The checks of some proposals, by correction id. */
export async function validationStates(
  p: Platform,
  ids: readonly string[],
): Promise<Map<string, CorrectionValidationState>> {
  const rows = ids.length
    ? await p.db
        .select()
        .from(correctionValidations)
        .where(inArray(correctionValidations.correctionId, [...ids]))
    : [];
  // presence only matters for a check still waiting
  const online = rows.some((r) => r.status === 'validating') ? await onlineFamilies(p) : new Set<string>();
  const byId = new Map(rows.map((r) => [r.correctionId, r]));
  const now = Date.now();
  return new Map(ids.map((id) => [id, validationView(p, byId.get(id), online, now)]));
}

/**
 * Refuses to approve or release proposals a runner found invalid (their new gold does not run).
 * `validating` and `unvalidated` ones may be decided: reviewers see their status.
 */
export async function refuseInvalid(db: DbOrTx, ids: readonly string[], doing: 'approved' | 'released') {
  if (!ids.length) return;
  const bad = await db
    .select({
      id: correctionValidations.correctionId,
      exampleId: corrections.exampleId,
      message: correctionValidations.message,
    })
    .from(correctionValidations)
    .innerJoin(corrections, eq(corrections.id, correctionValidations.correctionId))
    .where(and(inArray(correctionValidations.correctionId, [...ids]), eq(correctionValidations.status, 'invalid')));
  if (!bad.length) return;
  const named = bad.map((b) => `correction ${b.id} (example ${b.exampleId}): ${b.message ?? 'invalid'}`).join('; ');
  throw conflict(
    doing === 'approved'
      ? `an invalid correction cannot be approved: a runner found its new gold invalid: ${named}`
      : `cannot release invalid corrections (a runner found their new gold invalid): ${named}; reject or withdraw them first`,
  );
}
