import {
  CorrectionState,
  IMPORT_MAX_BYTES,
  ImportCorrectionsInput,
  ProposeCorrectionInput,
  ReviewCorrectionInput,
  ShortId,
  Slug,
  UserBytes,
  VersionNumber,
} from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import {
  CorrectionListItem,
  CorrectionView,
  ExampleGold,
  Impact,
  ImportedCorrections,
  Correction as Proposed,
  Released,
  Reviewed,
  TriageItem,
  VersionDetail,
  VersionDiff,
  Withdrawn,
} from '../outputs/corrections';
import { publicProcedure, router, userProcedure } from '../trpc';

/*
 * Every string and number of every input is bounded here (ids, version numbers within int4, list
 * lengths, text in bytes): an out-of-range value is a BAD_REQUEST naming the field, and never
 * reaches core or PostgreSQL.
 */
const Id = z.object({ id: z.string().uuid() });
const ListInput = z.object({
  benchmark: Slug,
  states: z.array(CorrectionState).max(CorrectionState.options.length).optional(),
});
const ExampleInput = z.object({ benchmark: Slug, version: VersionNumber.optional(), exampleId: ShortId });
const ReleaseInput = z.object({ benchmark: Slug, note: UserBytes(10_000).optional() });
const VersionInput = z.object({ benchmark: Slug, version: VersionNumber });
const ImpactInput = z.object({ benchmark: Slug, from: VersionNumber, to: VersionNumber });
const TriageInput = z.object({
  benchmark: Slug,
  version: VersionNumber,
  limit: z.number().int().min(1).max(1000).default(100),
});
/** the import's files, JSON-escaped (quotes and newlines double in the worst realistic case) */
const IMPORT_BODY_MAX_BYTES = 2 * IMPORT_MAX_BYTES + 64 * 1024;

/**
 * The audited corrections workflow. Authorization beyond "signed in" (reviewer or maintainer of
 * the benchmark's team, never one's own correction) and the per-user proposal rate limit are
 * decided in core for each call.
 */
export const correctionsRouter = router({
  list: publicProcedure
    .input(ListInput)
    .output(z.array(CorrectionListItem))
    .query(({ ctx, input }) => core.listCorrections(ctx.platform, input.benchmark, input.states)),
  get: publicProcedure
    .input(Id)
    .output(CorrectionView)
    .query(({ ctx, input }) => core.getCorrection(ctx.platform, input.id, ctx.actor)),
  /** the current gold of one example, to prefill a proposal */
  example: publicProcedure
    .input(ExampleInput)
    .output(ExampleGold)
    .query(({ ctx, input }) => core.exampleGold(ctx.platform, input)),
  propose: userProcedure
    .input(ProposeCorrectionInput)
    .output(Proposed)
    .mutation(({ ctx, input }) => core.proposeCorrection(ctx.platform, ctx.actor, input)),
  review: userProcedure
    .input(ReviewCorrectionInput)
    .output(Reviewed)
    .mutation(({ ctx, input }) => core.reviewCorrection(ctx.platform, ctx.actor, input)),
  withdraw: userProcedure
    .input(Id)
    .output(Withdrawn)
    .mutation(({ ctx, input }) => core.withdrawCorrection(ctx.platform, ctx.actor, input.id)),
  release: userProcedure
    .input(ReleaseInput)
    .output(Released)
    .mutation(({ ctx, input }) => core.releaseVersion(ctx.platform, ctx.actor, input)),
  version: publicProcedure
    .input(VersionInput)
    .output(VersionDetail)
    .query(({ ctx, input }) => core.getVersion(ctx.platform, input.benchmark, input.version)),
  diff: publicProcedure
    .input(VersionInput)
    .output(VersionDiff)
    .query(({ ctx, input }) => core.versionDiff(ctx.platform, input.benchmark, input.version)),
  impact: publicProcedure
    .input(ImpactInput)
    .output(Impact)
    .query(({ ctx, input }) => core.impact(ctx.platform, input)),
  triage: publicProcedure
    .input(TriageInput)
    .output(z.array(TriageItem))
    .query(({ ctx, input }) => core.triage(ctx.platform, input)),
  /** a corrected copy of the annotation files → one proposal per changed example */
  importUpstream: userProcedure
    .meta({ access: 'user', maxBodyBytes: IMPORT_BODY_MAX_BYTES })
    .input(ImportCorrectionsInput)
    .output(ImportedCorrections)
    .mutation(({ ctx, input }) => core.importCorrections(ctx.platform, ctx.actor, input)),
});
