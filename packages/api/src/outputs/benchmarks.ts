import { DatasetFile, Family, MetricDefinition } from '@trueboard/contracts';
import { z } from 'zod';

/** A benchmark as the submit form lists it, with the artifact size it accepts. */
export const BenchmarkListItem = z.object({
  id: z.string(),
  name: z.string(),
  family: Family,
  description: z.string(),
  primaryMetric: z.string(),
  latestVersion: z.number().int(),
  submissions: z.number().int(),
  maxArtifactBytes: z.number(),
});

/** A benchmark's card on the home page, with its current leader. */
export const BenchmarkSummary = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  description: z.string(),
  primaryMetric: z.string(),
  latestVersion: z.number().int().nullable(),
  submissions: z.number().int(),
  updatedAt: z.date().nullable(),
  leader: z
    .object({
      method: z.string(),
      team: z.string(),
      submissionId: z.string(),
      value: z.number(),
      semantics: z.string(),
    })
    .nullable(),
});

/** `benchmarks.get`: the benchmark's settings, without its stored manifest. */
export const Benchmark = z.object({
  id: z.string(),
  name: z.string(),
  family: Family,
  description: z.string(),
  ownerTeamId: z.string(),
  metrics: z.array(MetricDefinition),
  primaryMetric: z.string(),
  dailyQuota: z.number().int().nullable(),
  artifactMaxBytes: z.number().nullable(),
  createdAt: z.date(),
});

export const DatasetVersion = z.object({
  number: z.number().int(),
  contentHash: z.string(),
  status: z.string(),
  changelog: z.string(),
  createdAt: z.date(),
  files: z.array(DatasetFile),
});

export const ImportResult = z.object({
  benchmark: z.string(),
  version: z.number().int(),
  contentHash: z.string(),
  files: z.number().int(),
  created: z.boolean(),
});
