import type { Provenance } from '@trueboard/contracts';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { datasetVersions } from './benchmarks';
import { createdAt, id } from './columns';
import { evaluationRuns } from './runs';
import { submissions } from './submissions';

/** The recorded outcome of one finished run: exactly one per run, one current per submission × version. */
export const results = pgTable(
  'results',
  {
    id: id(),
    runId: uuid('run_id')
      .notNull()
      .unique()
      .references(() => evaluationRuns.id),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    datasetVersionId: uuid('dataset_version_id')
      .notNull()
      .references(() => datasetVersions.id),
    isCurrent: boolean('is_current').notNull().default(true),
    unscorable: integer('unscorable').notNull().default(0),
    provenance: jsonb('provenance').$type<Provenance>().notNull(),
    breakdowns: jsonb('breakdowns').$type<unknown[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('results_one_current').on(t.submissionId, t.datasetVersionId).where(sql`${t.isCurrent}`),
    index('results_version_idx').on(t.datasetVersionId, t.isCurrent),
  ],
);

export const resultMetrics = pgTable(
  'result_metrics',
  {
    resultId: uuid('result_id')
      .notNull()
      .references(() => results.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    semantics: text('semantics').notNull(),
    value: doublePrecision('value').notNull(),
    ciLow: doublePrecision('ci_low'),
    ciHigh: doublePrecision('ci_high'),
    ciMethod: text('ci_method'),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.resultId, t.name, t.semantics] }),
    index('result_metrics_value_idx').on(t.name, t.semantics, t.value),
  ],
);

export const exampleResults = pgTable(
  'example_results',
  {
    resultId: uuid('result_id')
      .notNull()
      .references(() => results.id, { onDelete: 'cascade' }),
    exampleId: text('example_id').notNull(),
    verdict: real('verdict'),
    reason: text('reason'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    /** set when the row was carried over from an earlier result instead of re-executed */
    sourceResultId: uuid('source_result_id').references((): AnyPgColumn => results.id),
  },
  (t) => [primaryKey({ columns: [t.resultId, t.exampleId] })],
);
