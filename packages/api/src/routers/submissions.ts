import { ReproductionRecipe, Slug, VersionNumber } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { runLogs } from '@trueboard/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../trpc';

const Id = z.object({ id: z.string().uuid() });
const OnVersion = Id.extend({ version: VersionNumber.optional() });

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
  /** the current result on the submission's own version, or on `version` (re-scored after a release) */
  result: publicProcedure
    .input(OnVersion)
    .query(({ ctx, input }) => core.submissionResult(ctx.platform, ctx.actor, input.id, input.version)),
  examples: publicProcedure.input(OnVersion.extend(core.ExampleFilter.shape)).query(({ ctx, input }) => {
    const { id, ...filter } = input;
    return core.submissionExamples(ctx.platform, ctx.actor, id, filter);
  }),
  /** the dataset version and artifact, by hash, to evaluate the submission again (`trueboard reproduce`) */
  reproduction: publicProcedure
    .input(OnVersion)
    .output(ReproductionRecipe)
    .query(({ ctx, input }) => core.reproductionRecipe(ctx.platform, ctx.actor, input.id, input.version)),
});
