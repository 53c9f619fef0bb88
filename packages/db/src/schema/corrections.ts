import {
  CorrectionCategory,
  CorrectionState,
  type CorrectionValidation,
  Family,
  ReviewDecision,
  ValidationStatus,
} from '@trueboard/contracts';
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, check, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { benchmarks, datasetVersions } from './benchmarks';
import { createdAt, id, oneOf, ts } from './columns';
import { runners } from './runners';

/**
 * A proposed change to the gold fields of one example of a dataset version. `fields` holds the new
 * values, `before` the values they replace; a release folds approved corrections into a new version.
 */
export const corrections = pgTable(
  'corrections',
  {
    id: id(),
    benchmarkId: text('benchmark_id')
      .notNull()
      .references(() => benchmarks.id),
    /** the version the correction was proposed against */
    datasetVersionId: uuid('dataset_version_id')
      .notNull()
      .references(() => datasetVersions.id),
    exampleId: text('example_id').notNull(),
    fields: jsonb('fields').$type<Record<string, string>>().notNull(),
    before: jsonb('before').$type<Record<string, string>>().notNull(),
    category: text('category').notNull(),
    rationale: text('rationale').notNull(),
    evidence: text('evidence').notNull().default(''),
    /** what validating the proposal found (for text-to-SQL: old and new gold results) */
    validation: jsonb('validation').$type<CorrectionValidation>(),
    state: text('state').notNull().default('proposed'),
    proposedBy: uuid('proposed_by')
      .notNull()
      .references(() => users.id),
    supersededBy: uuid('superseded_by').references((): AnyPgColumn => corrections.id),
    releasedIn: uuid('released_in').references(() => datasetVersions.id),
    createdAt: createdAt(),
    decidedAt: ts('decided_at'),
  },
  (t) => [
    check('corrections_category_valid', oneOf('category', CorrectionCategory.options)),
    check('corrections_state_valid', oneOf('state', CorrectionState.options)),
    check('corrections_rationale_given', sql`length(btrim(${t.rationale})) > 0`),
    check('corrections_fields_given', sql`jsonb_typeof(${t.fields}) = 'object' AND ${t.fields} <> '{}'::jsonb`),
    check('corrections_released', sql`(${t.state} = 'released') = (${t.releasedIn} IS NOT NULL)`),
    index('corrections_benchmark_idx').on(t.benchmarkId, t.state),
    index('corrections_example_idx').on(t.datasetVersionId, t.exampleId),
  ],
);

/** One reviewer's decision on a correction; a trigger refuses the proposer's own review. */
export const correctionReviews = pgTable(
  'correction_reviews',
  {
    id: id(),
    correctionId: uuid('correction_id')
      .notNull()
      .references(() => corrections.id),
    reviewerId: uuid('reviewer_id')
      .notNull()
      .references(() => users.id),
    decision: text('decision').notNull(),
    comment: text('comment').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    unique('correction_reviews_once').on(t.correctionId, t.reviewerId),
    check('correction_reviews_decision_valid', oneOf('decision', ReviewDecision.options)),
  ],
);

/**
 * The check of one proposal, run as a small job by a runner of the benchmark's family (the web
 * process never executes a gold). `validating` rows are claimable once `available_at` has passed
 * and no live lease holds them; an expired lease is claimed again, and after a bounded number of
 * attempts the row ends `unvalidated`. `runner_id` is the holder while validating, the answerer after.
 */
export const correctionValidations = pgTable(
  'correction_validations',
  {
    correctionId: uuid('correction_id')
      .primaryKey()
      .references(() => corrections.id),
    family: text('family').notNull(),
    status: text('status').notNull().default('validating'),
    /** the example's gold fields when it was proposed (what the validator compares against) */
    example: jsonb('example').$type<Record<string, string>>().notNull(),
    /** claims so far (each claim is an attempt, whether it ends in an answer, a failure or an expired lease) */
    attempts: integer('attempts').notNull().default(0),
    runnerId: uuid('runner_id').references(() => runners.id, { onDelete: 'set null' }),
    leaseExpiresAt: ts('lease_expires_at'),
    /** claimable from then on (a failed attempt waits a little before the next) */
    availableAt: ts('available_at').notNull().defaultNow(),
    /** why invalid or unvalidated; the last failed attempt's error while validating */
    message: text('message'),
    answeredAt: ts('answered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    check('correction_validations_family_valid', oneOf('family', Family.options)),
    check('correction_validations_status_valid', oneOf('status', ValidationStatus.options)),
    check('correction_validations_attempts_valid', sql`${t.attempts} >= 0`),
    check('correction_validations_answered', sql`(${t.status} = 'validating') = (${t.answeredAt} IS NULL)`),
    index('correction_validations_pending_idx').on(t.family, t.availableAt).where(sql`${t.status} = 'validating'`),
  ],
);
