import { type BenchmarkManifest, type DatasetFile, Family, type MetricDefinition } from '@trueboard/contracts';
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, bigint, check, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { teams, users } from './accounts';
import { createdAt, id, oneOf } from './columns';

/** The check constraint follows the contracts' families: a new family is a generated migration. */
export const FAMILIES = Family.options;
export const DATASET_STATUSES = ['released', 'deprecated'] as const;

export const benchmarks = pgTable(
  'benchmarks',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    family: text('family').$type<Family>().notNull(),
    description: text('description').notNull().default(''),
    ownerTeamId: uuid('owner_team_id')
      .notNull()
      .references(() => teams.id),
    metrics: jsonb('metrics').$type<MetricDefinition[]>().notNull(),
    primaryMetric: text('primary_metric').notNull(),
    /** the validated manifest as imported */
    manifest: jsonb('manifest').$type<BenchmarkManifest>().notNull(),
    dailyQuota: integer('daily_quota'),
    artifactMaxBytes: bigint('artifact_max_bytes', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [
    check('benchmarks_family_valid', oneOf('family', FAMILIES)),
    check('benchmarks_id_shape', sql`${t.id} ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$'`),
    check('benchmarks_quota_positive', sql`${t.dailyQuota} IS NULL OR ${t.dailyQuota} > 0`),
  ],
);

/** An immutable version of a benchmark's data: a list of content-addressed files. */
export const datasetVersions = pgTable(
  'dataset_versions',
  {
    id: id(),
    benchmarkId: text('benchmark_id')
      .notNull()
      .references(() => benchmarks.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => datasetVersions.id),
    contentHash: text('content_hash').notNull(),
    status: text('status').notNull().default('released'),
    changelog: text('changelog').notNull().default(''),
    /** bumped whenever a result on this version is recorded: leaderboard caches compare it */
    boardStamp: integer('board_stamp').notNull().default(0),
    /** example ids whose gold differs from the parent version (re-scoring re-runs only these) */
    changedExamples: jsonb('changed_examples').$type<string[]>().notNull().default([]),
    files: jsonb('files').$type<DatasetFile[]>().notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    unique('dataset_versions_benchmark_number_key').on(t.benchmarkId, t.number),
    check('dataset_versions_status_valid', oneOf('status', DATASET_STATUSES)),
    check('dataset_versions_number_positive', sql`${t.number} > 0`),
    check('dataset_versions_parent', sql`(${t.number} = 1) = (${t.parentId} IS NULL)`),
    check('dataset_versions_hash_shape', sql`${t.contentHash} ~ '^[0-9a-f]{64}$'`),
  ],
);
