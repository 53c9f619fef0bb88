import { z } from 'zod';
import { Slug } from './family';
import { RelativePath } from './manifest';
import { ShortId, UserBytes, utf8Length, VersionNumber } from './text';

export const CorrectionCategory = z.enum([
  'wrong_gold',
  'ambiguous_question',
  'wrong_evidence',
  'schema_mismatch',
  'wrong_label',
  'other',
]);
export type CorrectionCategory = z.infer<typeof CorrectionCategory>;

/** proposed → approved (quorum reached) → released; or rejected, withdrawn, superseded. */
export const CorrectionState = z.enum(['proposed', 'approved', 'rejected', 'withdrawn', 'superseded', 'released']);
export type CorrectionState = z.infer<typeof CorrectionState>;

export const ReviewDecision = z.enum(['approve', 'reject']);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** Bytes of one proposed gold field (a gold SQL query, a question, evidence…), of the rationale, of evidence. */
export const GOLD_FIELD_MAX_BYTES = 20_000;
export const RATIONALE_MAX_BYTES = 10_000;
export const EVIDENCE_MAX_BYTES = 20_000;
/** Gold fields one proposal may change (a dataset layout has a handful). */
export const MAX_CHANGED_FIELDS = 16;

/**
 * A gold field's proposed value: bounded in bytes, and free of bidi controls, which could make the
 * SQL a reviewer reads differ from the SQL that runs.
 */
const GoldValue = UserBytes(GOLD_FIELD_MAX_BYTES);

export const ProposeCorrectionInput = z.object({
  benchmark: Slug,
  /** dataset version number; default: the latest */
  version: VersionNumber.optional(),
  exampleId: ShortId,
  /** the changed gold fields and their new values, e.g. {"query": "SELECT …"} */
  fields: z
    .record(z.string().min(1).max(64), GoldValue)
    .refine((f) => Object.keys(f).length > 0, 'change at least one field')
    .refine((f) => Object.keys(f).length <= MAX_CHANGED_FIELDS, `change at most ${MAX_CHANGED_FIELDS} fields`),
  category: CorrectionCategory,
  rationale: UserBytes(RATIONALE_MAX_BYTES).pipe(z.string().trim().min(1, 'explain why the gold is wrong')),
  evidence: UserBytes(EVIDENCE_MAX_BYTES).default(''),
  /** an earlier proposal of yours for the same example that this one replaces */
  supersedes: z.string().uuid().optional(),
});
export type ProposeCorrectionInput = z.input<typeof ProposeCorrectionInput>;

/** An upstream import: at most this many annotation files, each and in all at most so many bytes. */
export const IMPORT_MAX_FILES = 16;
export const IMPORT_FILE_MAX_BYTES = 16 * 1024 * 1024;
export const IMPORT_MAX_BYTES = 16 * 1024 * 1024;

const ImportFileText = z
  .string()
  .max(IMPORT_FILE_MAX_BYTES)
  .refine((s) => utf8Length(s) <= IMPORT_FILE_MAX_BYTES, `must be at most ${IMPORT_FILE_MAX_BYTES} bytes (UTF-8)`);

/** A corrected copy of a benchmark's annotation files (path → text), diffed into proposals. */
export const ImportCorrectionsInput = z.object({
  benchmark: Slug,
  files: z
    .record(RelativePath, ImportFileText)
    .refine((f) => Object.keys(f).length <= IMPORT_MAX_FILES, `at most ${IMPORT_MAX_FILES} files`)
    .refine(
      (f) => Object.values(f).reduce((n, text) => n + utf8Length(text), 0) <= IMPORT_MAX_BYTES,
      `at most ${IMPORT_MAX_BYTES} bytes (UTF-8) in all`,
    ),
  /** where the corrections come from (written into each rationale) */
  source: UserBytes(500).pipe(z.string().min(1, 'say where the corrections come from')),
});
export type ImportCorrectionsInput = z.input<typeof ImportCorrectionsInput>;

export const ReviewCorrectionInput = z.object({
  id: z.string().uuid(),
  decision: ReviewDecision,
  comment: UserBytes(RATIONALE_MAX_BYTES).default(''),
});
export type ReviewCorrectionInput = z.input<typeof ReviewCorrectionInput>;

/** What a family's validator found about a proposed correction (shown next to it). */
export interface CorrectionValidation {
  ok: boolean;
  /** why the proposal cannot be accepted, when not ok */
  message?: string;
  /** family-specific evidence, e.g. old and new gold results for text-to-SQL */
  details: Record<string, unknown>;
}

/** Checks a proposed correction against the dataset files (e.g. runs a new gold query). */
export interface CorrectionValidator {
  validate(input: {
    /** the example's current gold fields */
    example: Record<string, string>;
    /** the proposed new values */
    fields: Record<string, string>;
    /** local path of a dataset file of the version, or null */
    file(path: string): Promise<string | null>;
  }): Promise<CorrectionValidation>;
  close?(): Promise<void>;
}
