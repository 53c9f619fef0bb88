import { CorrectionCategory, CorrectionState, type CorrectionValidation, ReviewDecision } from '@trueboard/contracts';
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, check, index, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { benchmarks, datasetVersions } from './benchmarks';
import { createdAt, id, oneOf, ts } from './columns';

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
