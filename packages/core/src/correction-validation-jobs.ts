import {
  type ValidationClaimRequest,
  type ValidationFailRequest,
  type ValidationJob,
  ValidationResultRequest,
  type ValidationStatus,
} from '@trueboard/contracts';
import { corrections, correctionValidations, type DbOrTx, datasetVersions } from '@trueboard/db';
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Actor, RunnerActor } from './actor';
import { auditCorrection } from './correction-annotations';
import { DomainError } from './errors';
import type { Platform } from './platform';
import { requireRunner, touchRunner } from './runners';

/*
 * The runner side of proposal checks (see correction-validation.ts): a runner of the family claims
 * one with a lease, executes the new gold with the family's validator, and answers valid or invalid.
 * A validator that throws is the runner's failure, not the proposal's: the attempt is recorded and
 * the job goes back for another, up to VALIDATION_MAX_ATTEMPTS; a lease that runs out is claimed
 * again. Only the token whose runner holds a job may answer it; to others it does not exist.
 */

/** Claims of one check before it gives up as `unvalidated`. */
export const VALIDATION_MAX_ATTEMPTS = 3;
/** A failed attempt waits this long (times the attempts so far) before the next claim. */
const RETRY_DELAY_MS = 5_000;

/** A check's lease: twice a run's, since it has no heartbeat (the text-to-SQL one runs two queries of up to 30 s). */
const leaseMs = (p: Platform) => 2 * p.config.leaseSeconds * 1000;

const notFound = (id: string) => new DomainError('not_found', `validation ${id} not found`);

/** Thrown inside a claim's transaction to roll it back: the runner hung up before it could be told. */
class HungUp extends Error {}

/**
 * Hands out the oldest claimable check of the runner's families, or null (it never waits). `signal`
 * is the request's: a runner that hung up (it stops, and aborted its claim) is handed nothing, so a
 * check is never leased, and an attempt never spent, on a runner that will not see it.
 */
export async function claimValidation(
  p: Platform,
  actor: Actor,
  req: ValidationClaimRequest,
  signal?: AbortSignal,
): Promise<ValidationJob | null> {
  const r = requireRunner(actor);
  const runner = await touchRunner(p, r, req.runnerId);
  const families = req.families.filter((f) => runner.families.includes(f));
  if (!families.length || signal?.aborted) return null;
  return p.db.transaction(claimIn).catch((e: unknown) => {
    if (e instanceof HungUp) return null;
    throw e;
  });

  async function claimIn(tx: DbOrTx): Promise<ValidationJob | null> {
    await giveUpExhausted(tx);
    const now = new Date();
    const [row] = await tx
      .select()
      .from(correctionValidations)
      .where(
        and(
          eq(correctionValidations.status, 'validating'),
          inArray(correctionValidations.family, families),
          lte(correctionValidations.availableAt, now),
          or(isNull(correctionValidations.leaseExpiresAt), lt(correctionValidations.leaseExpiresAt, now)),
          lt(correctionValidations.attempts, VALIDATION_MAX_ATTEMPTS),
        ),
      )
      .orderBy(asc(correctionValidations.availableAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!row) return null;
    const [c] = await tx
      .select({ fields: corrections.fields, files: datasetVersions.files })
      .from(corrections)
      .innerJoin(datasetVersions, eq(datasetVersions.id, corrections.datasetVersionId))
      .where(eq(corrections.id, row.correctionId));
    if (!c) throw new Error(`validation ${row.correctionId} points at a missing correction`);
    const leaseExpiresAt = new Date(now.getTime() + leaseMs(p));
    const attempt = row.attempts + 1;
    await tx
      .update(correctionValidations)
      .set({ attempts: attempt, runnerId: runner.id, leaseExpiresAt })
      .where(eq(correctionValidations.correctionId, row.correctionId));
    // the last moment the grant can still be taken back (rolled back with the transaction)
    if (signal?.aborted) throw new HungUp();
    return {
      id: row.correctionId,
      family: row.family as ValidationJob['family'],
      attempt,
      example: row.example,
      fields: c.fields,
      files: c.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
      leaseExpiresAt: leaseExpiresAt.toISOString(),
    };
  }
}

/** Checks whose last attempt's lease ran out with no attempts left end `unvalidated`, never stuck. */
async function giveUpExhausted(tx: DbOrTx) {
  const message = `no answer after ${VALIDATION_MAX_ATTEMPTS} attempts (the last runner stopped answering)`;
  const done = await tx.execute<{ correction_id: string; example_id: string }>(sql`
    update correction_validations cv
    set status = 'unvalidated', message = ${message}, answered_at = now(), lease_expires_at = null
    from corrections c
    where c.id = cv.correction_id and cv.status = 'validating'
      and cv.attempts >= ${VALIDATION_MAX_ATTEMPTS} and cv.lease_expires_at < now()
    returning cv.correction_id, c.example_id`);
  for (const d of done) {
    await auditCorrection(
      tx,
      { kind: 'system' },
      'correction.validated',
      { id: d.correction_id, exampleId: d.example_id },
      null,
      {
        status: 'unvalidated',
        message,
      },
    );
  }
}

/** Locks a check and makes sure the caller's token holds its `attempt`. */
async function holdValidation(tx: DbOrTx, r: RunnerActor, id: string, attempt: number) {
  const [row] = await tx
    .select({
      v: correctionValidations,
      exampleId: corrections.exampleId,
      tokenId: sql<string | null>`(select token_id from runners where id = ${correctionValidations.runnerId})`,
    })
    .from(correctionValidations)
    .innerJoin(corrections, eq(corrections.id, correctionValidations.correctionId))
    .where(eq(correctionValidations.correctionId, id))
    .for('update', { of: correctionValidations });
  if (!row || row.tokenId !== r.tokenId) throw notFound(id);
  if (row.v.status !== 'validating') throw leaseLost(`it is already ${row.v.status}`);
  if (row.v.attempts !== attempt) throw leaseLost(`attempt ${attempt} was superseded by attempt ${row.v.attempts}`);
  return row;
}

const leaseLost = (why: string) => new DomainError('lease_lost', `lease lost: ${why}; drop this validation`);

/** Records a runner's answer: the proposal is `valid` or `invalid` (with the validator's message and evidence). */
export async function completeValidation(
  p: Platform,
  actor: Actor,
  id: string,
  input: ValidationResultRequest,
): Promise<{ status: ValidationStatus }> {
  const r = requireRunner(actor);
  const req = ValidationResultRequest.parse(input);
  return p.db.transaction(async (tx) => {
    const row = await holdValidation(tx, r, id, req.attempt);
    const status = req.ok ? 'valid' : 'invalid';
    const message = req.ok ? null : (req.message ?? 'the validator found the proposed gold invalid');
    await tx
      .update(correctionValidations)
      .set({ status, message, answeredAt: new Date(), leaseExpiresAt: null })
      .where(eq(correctionValidations.correctionId, id));
    // the evidence (e.g. old and new gold results) is shown beside the proposal
    await tx
      .update(corrections)
      .set({ validation: { ok: req.ok, ...(message ? { message } : {}), details: req.details } })
      .where(eq(corrections.id, id));
    await auditCorrection(tx, { kind: 'system' }, 'correction.validated', { id, exampleId: row.exampleId }, null, {
      status,
      message,
      runnerId: row.v.runnerId,
      attempt: req.attempt,
    });
    return { status };
  });
}

/**
 * A validator that threw: the attempt counts, and the check goes back for another after a short
 * wait; the last one allowed ends it `unvalidated` with the error.
 */
export async function failValidation(
  p: Platform,
  actor: Actor,
  id: string,
  req: ValidationFailRequest,
): Promise<{ status: ValidationStatus }> {
  const r = requireRunner(actor);
  return p.db.transaction(async (tx) => {
    const row = await holdValidation(tx, r, id, req.attempt);
    const message = `the validator failed on attempt ${req.attempt} of ${VALIDATION_MAX_ATTEMPTS}: ${req.message}`;
    if (req.attempt >= VALIDATION_MAX_ATTEMPTS) {
      await tx
        .update(correctionValidations)
        .set({ status: 'unvalidated', message, answeredAt: new Date(), leaseExpiresAt: null })
        .where(eq(correctionValidations.correctionId, id));
      await auditCorrection(tx, { kind: 'system' }, 'correction.validated', { id, exampleId: row.exampleId }, null, {
        status: 'unvalidated',
        message,
        runnerId: row.v.runnerId,
        attempt: req.attempt,
      });
      return { status: 'unvalidated' as const };
    }
    await tx
      .update(correctionValidations)
      .set({
        message,
        runnerId: null,
        leaseExpiresAt: null,
        availableAt: new Date(Date.now() + RETRY_DELAY_MS * req.attempt),
      })
      .where(eq(correctionValidations.correctionId, id));
    return { status: 'validating' as const };
  });
}

/** Whether a runner's token holds a live check whose dataset version has this file (see blob-access.ts). */
export async function runnerMayReadValidationBlob(p: Platform, r: RunnerActor, sha256: string): Promise<boolean> {
  const rows = await p.db.execute<{ ok: number }>(sql`
    select 1 as ok
    from correction_validations cv
    join runners ru on ru.id = cv.runner_id
    join corrections c on c.id = cv.correction_id
    join dataset_versions dv on dv.id = c.dataset_version_id
    where ru.token_id = ${r.tokenId}
      and cv.status = 'validating'
      and cv.lease_expires_at > now()
      and dv.files @> jsonb_build_array(jsonb_build_object('sha256', ${sha256}::text))
    limit 1`);
  return rows.length > 0;
}
