import { z } from 'zod';

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

export const ProposeCorrectionInput = z.object({
  benchmark: z.string().min(1),
  /** dataset version number; default: the latest */
  version: z.number().int().positive().optional(),
  exampleId: z.string().min(1).max(200),
  /** the changed gold fields and their new values, e.g. {"query": "SELECT …"} */
  fields: z
    .record(z.string().min(1).max(64), z.string().max(20_000))
    .refine((f) => Object.keys(f).length > 0, 'change at least one field'),
  category: CorrectionCategory,
  rationale: z.string().trim().min(1, 'explain why the gold is wrong').max(10_000),
  evidence: z.string().max(20_000).default(''),
  /** an earlier proposal of yours for the same example that this one replaces */
  supersedes: z.string().uuid().optional(),
});
export type ProposeCorrectionInput = z.input<typeof ProposeCorrectionInput>;

export const ReviewCorrectionInput = z.object({
  id: z.string().uuid(),
  decision: ReviewDecision,
  comment: z.string().max(10_000).default(''),
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
