import * as core from '@trueboard/core';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../trpc';

const Id = z.object({ id: z.string().uuid() });

/**
 * The audited corrections workflow. Authorization beyond "signed in" (reviewer or maintainer of
 * the benchmark's team, never one's own correction) is decided in core for each call.
 */
export const correctionsRouter = router({
  list: publicProcedure
    .input(z.object({ benchmark: z.string(), states: z.array(z.string()).optional() }))
    .query(({ ctx, input }) => core.listCorrections(ctx.platform, input.benchmark, input.states)),
  get: publicProcedure.input(Id).query(({ ctx, input }) => core.getCorrection(ctx.platform, input.id)),
  /** the current gold of one example, to prefill a proposal */
  example: publicProcedure
    .input(z.object({ benchmark: z.string(), version: z.number().int().positive().optional(), exampleId: z.string() }))
    .query(({ ctx, input }) => core.exampleGold(ctx.platform, input)),
  propose: userProcedure
    .input(z.unknown())
    .mutation(({ ctx, input }) => core.proposeCorrection(ctx.platform, ctx.actor, input)),
  review: userProcedure
    .input(z.unknown())
    .mutation(({ ctx, input }) => core.reviewCorrection(ctx.platform, ctx.actor, input)),
  withdraw: userProcedure
    .input(Id)
    .mutation(({ ctx, input }) => core.withdrawCorrection(ctx.platform, ctx.actor, input.id)),
  release: userProcedure
    .input(z.object({ benchmark: z.string(), note: z.string().max(10_000).optional() }))
    .mutation(({ ctx, input }) => core.releaseVersion(ctx.platform, ctx.actor, input)),
  version: publicProcedure
    .input(z.object({ benchmark: z.string(), version: z.number().int().positive() }))
    .query(({ ctx, input }) => core.getVersion(ctx.platform, input.benchmark, input.version)),
  diff: publicProcedure
    .input(z.object({ benchmark: z.string(), version: z.number().int().positive() }))
    .query(({ ctx, input }) => core.versionDiff(ctx.platform, input.benchmark, input.version)),
  impact: publicProcedure
    .input(z.object({ benchmark: z.string(), from: z.number().int().positive(), to: z.number().int().positive() }))
    .query(({ ctx, input }) => core.impact(ctx.platform, input)),
  triage: publicProcedure
    .input(
      z.object({
        benchmark: z.string(),
        version: z.number().int().positive(),
        limit: z.number().int().min(1).max(1000).default(100),
      }),
    )
    .query(({ ctx, input }) => core.triage(ctx.platform, input)),
  /** a corrected copy of the annotation files → one proposal per changed example */
  importUpstream: userProcedure
    .input(
      z.object({ benchmark: z.string(), files: z.record(z.string(), z.string()), source: z.string().min(1).max(500) }),
    )
    .mutation(({ ctx, input }) => core.importCorrections(ctx.platform, ctx.actor, input)),
});
