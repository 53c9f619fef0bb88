import { Family, Provenance } from '@trueboard/contracts';
import { z } from 'zod';
import { Method } from './methods';

/*
 * What the submission procedures return. A submission is often public, so its page is served to
 * anyone: these schemas name the fields its page and the CLI read, and zod drops the rest of the
 * row (who submitted it, the client's idempotency key, quota bookkeeping, which runner holds a
 * lease and until when).
 */

/** One evaluation attempt of a submission, on one dataset version. */
export const SubmissionRun = z.object({
  id: z.string(),
  datasetVersionId: z.string(),
  attempt: z.number().int(),
  try: z.number().int(),
  kind: z.string(),
  state: z.string(),
  progress: z.number(),
  progressMessage: z.string(),
  failureCategory: z.string().nullable(),
  failureMessage: z.string().nullable(),
  queuedAt: z.date(),
  startedAt: z.date().nullable(),
  endedAt: z.date().nullable(),
});

/** `submissions.get`: a submission with its method, team, runs and what the caller may do to it. */
export const SubmissionView = z.object({
  id: z.string(),
  benchmarkId: z.string(),
  methodId: z.string(),
  teamId: z.string(),
  datasetVersionId: z.string(),
  artifactSha256: z.string(),
  note: z.string(),
  isPublic: z.boolean(),
  isBaseline: z.boolean(),
  state: z.string(),
  failureCategory: z.string().nullable(),
  failureMessage: z.string().nullable(),
  submittedAt: z.date(),
  queuedAt: z.date().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  failedAt: z.date().nullable(),
  cancelledAt: z.date().nullable(),
  method: Method.omit({ createdAt: true }),
  team: z.object({ slug: z.string(), name: z.string() }),
  benchmark: z.object({ id: z.string(), name: z.string(), family: Family }),
  datasetVersion: z.number().int(),
  runs: z.array(SubmissionRun),
  /** 1-based place of its queued run in the queue; null when nothing is queued */
  queuePosition: z.number().int().nullable(),
  permissions: z.object({ cancel: z.boolean(), rerun: z.boolean() }),
});

/** A row of a benchmark's submission list (private ones only for their team and admins: core). */
export const SubmissionListItem = z.object({
  id: z.string(),
  state: z.string(),
  isPublic: z.boolean(),
  isBaseline: z.boolean(),
  teamId: z.string(),
  team: z.string(),
  method: z.string(),
  submittedAt: z.date(),
});

export const Cancelled = z.object({ id: z.string(), state: z.literal('cancelled') });

export const Requeued = z.object({ id: z.string(), state: z.literal('queued'), runId: z.string() });

export const RunLogLine = z.object({
  id: z.number().int(),
  level: z.string(),
  message: z.string(),
  createdAt: z.date(),
});

/** A submission's current result on one dataset version, with its metrics; null before there is one. */
export const SubmissionResult = z
  .object({
    id: z.string(),
    runId: z.string(),
    submissionId: z.string(),
    datasetVersionId: z.string(),
    isCurrent: z.boolean(),
    unscorable: z.number().int(),
    // hashes as stored, without the input regex: a result is served even if recorded by an older kit
    provenance: Provenance.extend({ datasetHash: z.string(), artifactHash: z.string() }),
    breakdowns: z.array(z.unknown()),
    createdAt: z.date(),
    metrics: z.array(
      z.object({
        resultId: z.string(),
        name: z.string(),
        semantics: z.string(),
        value: z.number(),
        ciLow: z.number().nullable(),
        ciHigh: z.number().nullable(),
        ciMethod: z.string().nullable(),
        n: z.number().int(),
      }),
    ),
    /** files its rows can be downloaded as (`/api/submissions/<id>/downloads/<name>`), from its family */
    downloads: z.array(z.object({ name: z.string(), label: z.string() })),
  })
  .nullable();

/** A page of a result's per-example rows; `data` is the family's row, shown through its view. */
export const ExamplePage = z.object({
  rows: z.array(
    z.object({
      resultId: z.string(),
      exampleId: z.string(),
      verdict: z.number().nullable(),
      reason: z.string().nullable(),
      data: z.record(z.string(), z.unknown()),
      sourceResultId: z.string().nullable(),
    }),
  ),
  total: z.number().int(),
  facets: z.array(z.object({ field: z.string(), value: z.string(), n: z.number().int() })),
});
