import type { Hyperparameters } from '@trueboard/contracts';
import { FailureCategory, SubmissionState } from '@trueboard/contracts';
import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { teams, users } from './accounts';
import { artifacts } from './artifacts';
import { benchmarks, datasetVersions } from './benchmarks';
import { createdAt, id, oneOf, ts } from './columns';

export const methods = pgTable(
  'methods',
  {
    id: id(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    paperUrl: text('paper_url'),
    codeUrl: text('code_url'),
    hyperparameters: jsonb('hyperparameters').$type<Hyperparameters>().notNull().default({}),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [unique('methods_team_name_key').on(t.teamId, t.name)],
);

/** A method's artifact submitted to a benchmark; its lifecycle is a state machine with a timestamp per state. */
export const submissions = pgTable(
  'submissions',
  {
    id: id(),
    benchmarkId: text('benchmark_id')
      .notNull()
      .references(() => benchmarks.id),
    methodId: uuid('method_id')
      .notNull()
      .references(() => methods.id),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id),
    submittedBy: uuid('submitted_by')
      .notNull()
      .references(() => users.id),
    artifactSha256: text('artifact_sha256')
      .notNull()
      .references(() => artifacts.sha256),
    datasetVersionId: uuid('dataset_version_id')
      .notNull()
      .references(() => datasetVersions.id),
    note: text('note').notNull().default(''),
    isPublic: boolean('is_public').notNull().default(true),
    isBaseline: boolean('is_baseline').notNull().default(false),
    state: text('state').notNull().default('submitted'),
    failureCategory: text('failure_category'),
    failureMessage: text('failure_message'),
    /** false once an infra failure or an admin's cancellation returned the quota slot */
    countsTowardQuota: boolean('counts_toward_quota').notNull().default(true),
    submittedAt: createdAt(),
    queuedAt: ts('queued_at'),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    failedAt: ts('failed_at'),
    cancelledAt: ts('cancelled_at'),
    cancelledBy: uuid('cancelled_by').references(() => users.id),
    /** the client's `Idempotency-Key`: a repeated upload with the same key is this submission */
    clientRequestId: text('client_request_id'),
  },
  (t) => [
    check('submissions_state_valid', oneOf('state', SubmissionState.options)),
    unique('submissions_client_request_key').on(t.submittedBy, t.clientRequestId),
    check(
      'submissions_client_request_id_valid',
      sql`${t.clientRequestId} IS NULL OR ${t.clientRequestId} ~ '^[!-~]{1,200}$'`,
    ),
    check(
      'submissions_failure_valid',
      sql`(${t.state} = 'failed') = (${t.failureCategory} IS NOT NULL) AND (${t.failureCategory} IS NULL OR ${oneOf('failure_category', FailureCategory.options)})`,
    ),
    index('submissions_benchmark_idx').on(t.benchmarkId, t.state),
    index('submissions_quota_idx').on(t.teamId, t.benchmarkId, t.submittedAt),
  ],
);
