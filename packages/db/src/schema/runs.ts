import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgTable, real, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { datasetVersions } from './benchmarks';
import { createdAt, id, oneOf, ts } from './columns';
import { runners } from './runners';
import { submissions } from './submissions';

export const RUN_STATES = ['queued', 'running', 'finished', 'failed', 'cancelled', 'expired'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const RUN_KINDS = ['initial', 'rerun', 'rescore'] as const;

/**
 * One attempt at evaluating a submission on one dataset version. A lease that expires ends the
 * attempt as `expired` and queues attempt + 1; `try` counts attempts within one request.
 */
export const evaluationRuns = pgTable(
  'evaluation_runs',
  {
    id: id(),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    datasetVersionId: uuid('dataset_version_id')
      .notNull()
      .references(() => datasetVersions.id),
    attempt: integer('attempt').notNull(),
    try: integer('try').notNull().default(1),
    kind: text('kind').notNull().default('initial'),
    state: text('state').notNull().default('queued'),
    runnerId: uuid('runner_id').references(() => runners.id, { onDelete: 'set null' }),
    leaseExpiresAt: ts('lease_expires_at'),
    progress: real('progress').notNull().default(0),
    progressMessage: text('progress_message').notNull().default(''),
    failureCategory: text('failure_category'),
    failureMessage: text('failure_message'),
    queuedAt: createdAt(),
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
  },
  (t) => [
    unique('evaluation_runs_attempt_key').on(t.submissionId, t.datasetVersionId, t.attempt),
    check('evaluation_runs_state_valid', oneOf('state', RUN_STATES)),
    check('evaluation_runs_kind_valid', oneOf('kind', RUN_KINDS)),
    check('evaluation_runs_attempt_positive', sql`${t.attempt} > 0 AND ${t.try} > 0`),
    check('evaluation_runs_progress_range', sql`${t.progress} >= 0 AND ${t.progress} <= 1`),
    check(
      'evaluation_runs_lease',
      sql`${t.state} <> 'running' OR (${t.leaseExpiresAt} IS NOT NULL AND ${t.runnerId} IS NOT NULL)`,
    ),
    // at most one live attempt per submission and dataset version
    uniqueIndex('evaluation_runs_one_live')
      .on(t.submissionId, t.datasetVersionId)
      .where(sql`${t.state} IN ('queued', 'running')`),
    index('evaluation_runs_state_idx').on(t.state, t.queuedAt),
  ],
);

export const runLogs = pgTable(
  'run_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => evaluationRuns.id, { onDelete: 'cascade' }),
    level: text('level').notNull(),
    message: text('message').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('run_logs_run_idx').on(t.runId, t.id),
    check('run_logs_level_valid', oneOf('level', ['debug', 'info', 'warn', 'error'])),
  ],
);
