import { Slug } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../trpc';

export const benchmarksRouter = router({
  list: publicProcedure.query(({ ctx }) => core.listBenchmarks(ctx.platform)),
  summaries: publicProcedure.query(({ ctx }) => core.benchmarkSummaries(ctx.platform)),
  leaderboard: publicProcedure
    .input(core.LeaderboardQuery)
    .query(({ ctx, input }) => core.leaderboard(ctx.platform, input)),
  get: publicProcedure.input(z.object({ id: Slug })).query(async ({ ctx, input }) => {
    const b = await core.getBenchmark(ctx.platform, input.id);
    const { manifest: _m, ...rest } = b;
    return rest;
  }),
  versions: publicProcedure
    .input(z.object({ id: Slug }))
    .query(({ ctx, input }) => core.listVersions(ctx.platform, input.id)),
  /** registers a benchmark whose files were uploaded to /api/blobs (team maintainers; checked in core) */
  register: userProcedure
    .input(z.object({ manifest: z.unknown(), files: z.unknown() }))
    .mutation(({ ctx, input }) => core.registerBenchmark(ctx.platform, ctx.actor, input.manifest, input.files)),
});
