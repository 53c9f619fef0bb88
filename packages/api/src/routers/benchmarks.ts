import { Leaderboard, Slug } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import { Benchmark, BenchmarkListItem, BenchmarkSummary, DatasetVersion, ImportResult } from '../outputs/benchmarks';
import { publicProcedure, router, userProcedure } from '../trpc';

export const benchmarksRouter = router({
  list: publicProcedure.output(z.array(BenchmarkListItem)).query(({ ctx }) => core.listBenchmarks(ctx.platform)),
  summaries: publicProcedure
    .output(z.array(BenchmarkSummary))
    .query(({ ctx }) => core.benchmarkSummaries(ctx.platform)),
  leaderboard: publicProcedure
    .input(core.LeaderboardQuery)
    .output(Leaderboard)
    .query(({ ctx, input }) => core.leaderboard(ctx.platform, input)),
  get: publicProcedure
    .input(z.object({ id: Slug }))
    .output(Benchmark)
    .query(async ({ ctx, input }) => {
      const b = await core.getBenchmark(ctx.platform, input.id);
      const { manifest: _m, ...rest } = b;
      return rest;
    }),
  versions: publicProcedure
    .input(z.object({ id: Slug }))
    .output(z.array(DatasetVersion))
    .query(({ ctx, input }) => core.listVersions(ctx.platform, input.id)),
  /** registers a benchmark whose files were uploaded to /api/blobs (team maintainers; checked in core) */
  register: userProcedure
    .input(z.object({ manifest: z.unknown(), files: z.unknown() }))
    .output(ImportResult)
    .mutation(({ ctx, input }) => core.registerBenchmark(ctx.platform, ctx.actor, input.manifest, input.files)),
});
