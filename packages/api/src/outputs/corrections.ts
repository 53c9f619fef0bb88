import { DatasetFile, LeaderboardColumn, ValidationStatus } from '@trueboard/contracts';
import { z } from 'zod';

/*
 * What the correction procedures return. Corrections, their reviews and history are public (the
 * audited workflow is meant to be read by anyone), so these schemas name the fields the correction
 * pages and the CLI read and zod drops the rest. What stays inside: which runner holds or held a
 * proposal's check (its lease is the runner's business, as for submission runs), in the check and in
 * the history's audit records alike. Gold fields and a validator's evidence belong to the family:
 * they are plain maps here, rendered by the family's view.
 */

/** Gold field values by field name, as the family's annotation codec reads them. */
const GoldFields = z.record(z.string(), z.string());

/** Where a proposal's check stands (computed on read in core), without the runner holding it. */
export const ValidationView = z.object({
  status: ValidationStatus,
  message: z.string().nullable(),
  answeredAt: z.date().nullable(),
  attempts: z.number().int(),
});

/**
 * A correction as stored, with its check. State and category are text columns whose values only
 * TypeScript and a check constraint name. The proposer's user id is not served (as a submission's
 * submitter is not): `yours` tells the signed-in proposer it is theirs, so the page can offer
 * withdrawing, and `corrections.get` names the proposer.
 */
export const Correction = z.object({
  id: z.string(),
  benchmarkId: z.string(),
  datasetVersionId: z.string(),
  exampleId: z.string(),
  fields: GoldFields,
  before: GoldFields,
  category: z.string(),
  rationale: z.string(),
  evidence: z.string(),
  /** what the family's validator found: `details` is its evidence (e.g. old and new gold results) */
  validation: z
    .object({ ok: z.boolean(), message: z.string().optional(), details: z.record(z.string(), z.unknown()) })
    .nullable(),
  state: z.string(),
  /** true only when the caller is the signed-in user who proposed it */
  yours: z.boolean(),
  supersededBy: z.string().nullable(),
  releasedIn: z.string().nullable(),
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
  validationStatus: ValidationView,
});

/**
 * What a correction's audit event changed to. Its keys are named, like every field here: the
 * validation events also record the runner that answered, which is not served.
 */
const EventAfter = z
  .object({
    state: z.string(),
    fields: GoldFields,
    category: z.string(),
    version: z.number().int(),
    decision: z.string(),
    comment: z.string(),
    by: z.string(),
    status: z.string(),
    message: z.string().nullable(),
    attempt: z.number().int(),
  })
  .partial()
  .nullable();

/** `corrections.get`: a correction with its reviews, its append-only history and the quorum. */
export const CorrectionView = Correction.extend({
  proposer: z.string(),
  version: z.number().int(),
  family: z.string().nullable(),
  reviews: z.array(z.object({ decision: z.string(), comment: z.string(), createdAt: z.date(), reviewer: z.string() })),
  history: z.array(
    z.object({
      id: z.number().int(),
      action: z.string(),
      createdAt: z.date(),
      /** the user's name; null for the platform's own events (a check's outcome) */
      actor: z.string().nullable(),
      /** the gold fields a proposal replaces, or the state left */
      before: z.unknown(),
      // core reads the column as unknown JSON: the named keys are what is served of it
      after: z.unknown().pipe(EventAfter),
      exampleId: z.string().nullable(),
    }),
  ),
  quorum: z.number().int(),
});

/** A row of a benchmark's correction list, newest first. */
export const CorrectionListItem = z.object({
  id: z.string(),
  exampleId: z.string(),
  category: z.string(),
  state: z.string(),
  fields: GoldFields,
  before: GoldFields,
  rationale: z.string(),
  createdAt: z.date(),
  proposer: z.string(),
  version: z.number().int(),
  validationStatus: ValidationView,
});

/** `corrections.example`: an example's current gold, and the fields a proposal may change. */
export const ExampleGold = z.object({
  benchmark: z.string(),
  version: z.number().int(),
  exampleId: z.string(),
  fields: GoldFields,
  editable: z.array(z.string()).readonly(),
});

export const Reviewed = z.object({ id: z.string(), state: z.string() });

export const Withdrawn = z.object({ id: z.string(), state: z.literal('withdrawn') });

export const Released = z.object({
  version: z.number().int(),
  corrections: z.number().int(),
  rescoring: z.number().int(),
});

/** `corrections.version`: a dataset version's files, changelog and parent. */
export const VersionDetail = z.object({
  number: z.number().int(),
  parent: z.number().int().nullable(),
  contentHash: z.string(),
  files: z.array(DatasetFile),
  changelog: z.string(),
  changedExamples: z.array(z.string()),
  createdAt: z.date(),
});

/** `corrections.diff`: each example a version changed, before and after, with its correction. */
export const VersionDiff = z.object({
  benchmark: z.string(),
  version: z.number().int(),
  parent: z.number().int(),
  changes: z.array(
    z.object({
      exampleId: z.string(),
      before: GoldFields,
      after: GoldFields,
      corrections: z.array(
        z.object({ id: z.string(), category: z.string(), rationale: z.string(), proposer: z.string() }),
      ),
    }),
  ),
});

/**
 * A rank correlation and its permutation p-value. Both are NaN when one ranking is constant (every
 * system scored the same): a board with ties is an answer, not a server error.
 */
const CorrelationTest = z.object({
  value: z.union([z.number(), z.nan()]),
  p: z.union([z.number(), z.nan()]),
  method: z.enum(['exact', 'permutation']),
  n: z.number().int(),
});

/** `corrections.impact`: what a release did to the public ranking. */
export const Impact = z.object({
  benchmark: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  metric: LeaderboardColumn.nullable(),
  systems: z.array(
    z.object({
      submissionId: z.string(),
      method: z.string(),
      team: z.string(),
      scoreFrom: z.number(),
      scoreTo: z.number(),
      change: z.number(),
      relativeChange: z.number().nullable(),
      rankFrom: z.number().int(),
      rankTo: z.number().int(),
      rankChange: z.number().int(),
    }),
  ),
  spearman: CorrelationTest.nullable(),
  kendallTauB: CorrelationTest.nullable(),
  flips: z.array(
    z.object({
      submissionId: z.string(),
      flipped: z.array(z.object({ exampleId: z.string(), from: z.number().nullable(), to: z.number().nullable() })),
    }),
  ),
});

/** A suspicious example; `data` holds the family's summary fields of it, shown through its view. */
export const TriageItem = z.object({
  exampleId: z.string(),
  score: z.number(),
  signals: z.array(z.string()),
  systems: z.number().int(),
  wrong: z.number().int(),
  data: z.record(z.string(), z.unknown()),
});

/** `corrections.importUpstream`: the proposals made, the examples refused, and what was not applied. */
export const ImportedCorrections = z.object({
  version: z.number().int(),
  created: z.array(
    z.object({ id: z.string(), exampleId: z.string(), fields: z.array(z.string()), validation: z.string() }),
  ),
  refused: z.array(z.object({ exampleId: z.string(), message: z.string() })),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
