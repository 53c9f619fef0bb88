import { Slug } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { runLogs } from '@trueboard/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../trpc';

const Id = z.object({ id: z.string().uuid() });

export const submissionsRouter = router({
  get: publicProcedure.input(Id).query(({ ctx, input }) => core.getSubmission(ctx.platform, ctx.actor, input.id)),
  list: publicProcedure
    .input(z.object({ benchmark: Slug }))
    .query(({ ctx, input }) => core.listSubmissions(ctx.platform, ctx.actor, input.benchmark)),
  cancel: userProcedure
    .input(Id)
    .mutation(({ ctx, input }) => core.cancelSubmission(ctx.platform, ctx.actor, input.id)),
  rerun: userProcedure.input(Id).mutation(({ ctx, input }) => core.rerunSubmission(ctx.platform, ctx.actor, input.id)),
  logs: publicProcedure
    .input(
      z.object({
        runId: z.string().uuid(),
        submissionId: z.string().uuid(),
        afterId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      }),
    )
    .query(async ({ ctx, input }) => {
      const s = await core.getSubmission(ctx.platform, ctx.actor, input.submissionId); // visibility check
      if (!s.runs.some((r) => r.id === input.runId)) throw new core.DomainError('not_found', 'run not found');
      return ctx.platform.db
        .select({ id: runLogs.id, level: runLogs.level, message: runLogs.message, createdAt: runLogs.createdAt })
        .from(runLogs)
        .where(and(eq(runLogs.runId, input.runId), gt(runLogs.id, input.afterId)))
        .orderBy(asc(runLogs.id))
        .limit(500);
    }),
  result: publicProcedure.input(Id).query(async ({ ctx, input }) => {
    const s = await core.getSubmission(ctx.platform, ctx.actor, input.id);
    return core.currentResult(ctx.platform.db, s.id, s.datasetVersionId);
  }),
  examples: publicProcedure.input(Id.extend(core.ExampleFilter.shape)).query(async ({ ctx, input }) => {
    const { id, ...filter } = input;
    const s = await core.getSubmission(ctx.platform, ctx.actor, id);
    const res = await core.currentResult(ctx.platform.db, s.id, s.datasetVersionId);
    if (!res) return { rows: [], total: 0, facets: [] };
    return core.listExampleResults(ctx.platform.db, res.id, filter);
  }),
});
