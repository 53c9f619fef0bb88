import { z } from 'zod';
import { Family } from './family';
import { DatasetFile } from './manifest';

/**
 * Where a proposal's check stands. `validating`: waiting for a runner of the family to execute the
 * new gold; `valid`/`invalid`: a runner answered; `unvalidated`: no runner answered in time (none of
 * the family was online, or its validator kept failing). Reviewers may decide all but `invalid`.
 */
export const ValidationStatus = z.enum(['validating', 'valid', 'invalid', 'unvalidated']);
export type ValidationStatus = z.infer<typeof ValidationStatus>;

/** A proposal's validation as the API shows it (the status is computed on read, see core). */
export const CorrectionValidationState = z.object({
  status: ValidationStatus,
  /** why it is invalid or unvalidated; the last failed attempt's error while still validating */
  message: z.string().nullable(),
  /** the runner that answered (or holds the job now) */
  runnerId: z.string().uuid().nullable(),
  /** when a runner answered */
  answeredAt: z.date().nullable(),
  attempts: z.number().int().nonnegative(),
});
export type CorrectionValidationState = z.infer<typeof CorrectionValidationState>;

/** Gold field values as the annotation codecs read them. */
const GoldFields = z.record(z.string(), z.string());

export const ValidationClaimRequest = z.object({
  runnerId: z.string().uuid(),
  /** the families this runner has a correction validator for */
  families: z.array(Family).min(1),
});
export type ValidationClaimRequest = z.infer<typeof ValidationClaimRequest>;

/** One proposal to check: everything the family's CorrectionValidator needs, with the files by hash. */
export const ValidationJob = z.object({
  /** the correction's id */
  id: z.string().uuid(),
  family: Family,
  /** echoed in the answer: a late answer of an earlier attempt is refused */
  attempt: z.number().int().positive(),
  /** the example's current gold fields */
  example: GoldFields,
  /** the proposed new values */
  fields: GoldFields,
  /** the files of the dataset version the proposal is against (fetch by sha256 through the cache) */
  files: z.array(DatasetFile),
  leaseExpiresAt: z.string(),
});
export type ValidationJob = z.infer<typeof ValidationJob>;

export const ValidationClaimResponse = z.object({ validation: ValidationJob.nullable() });
export type ValidationClaimResponse = z.infer<typeof ValidationClaimResponse>;

/** What the family's validator found. */
export const ValidationResultRequest = z.object({
  attempt: z.number().int().positive(),
  ok: z.boolean(),
  message: z.string().max(4000).optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ValidationResultRequest = z.input<typeof ValidationResultRequest>;

/** The validator itself failed (threw): the runner's problem, not the proposal's; another attempt follows. */
export const ValidationFailRequest = z.object({
  attempt: z.number().int().positive(),
  message: z.string().min(1).max(4000),
});
export type ValidationFailRequest = z.infer<typeof ValidationFailRequest>;

export const ValidationAnswerResponse = z.object({ status: ValidationStatus });
export type ValidationAnswerResponse = z.infer<typeof ValidationAnswerResponse>;

/** A check in one line, as pages and the CLI show it: `valid`, `invalid: <why>`, `unvalidated: <why>`, `validating`. */
export function describeValidation(v: Pick<CorrectionValidationState, 'status' | 'message'>): string {
  if (v.status === 'valid' || v.status === 'validating' || !v.message) return v.status;
  return `${v.status}: ${v.message}`;
}
