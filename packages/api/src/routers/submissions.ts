import { ReproductionRecipe, Slug, VersionNumber } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import {
  Cancelled,
  ExamplePage,
  Requeued,
  RunLogLine,
  SubmissionListItem,
  SubmissionResult,
  SubmissionView,
} from '../outputs/submissions';
import { publicProcedure, router, userProcedure } from '../trpc';

const Id = z.object({ id: z.string().uuid() });
const OnVersion = Id.extend({ version: VersionNumber.optional() });

export const submissionsRouter = router({
  get: publicProcedure
    .input(Id)
    .output(SubmissionView)
    .query(({ ctx, input }) => core.getSubmission(ctx.platform, ctx.actor, input.id)),
  list: publicProcedure
    .input(z.object({ benchmark: Slug }))
    .output(z.array(SubmissionListItem))
    .query(({ ctx, input }) => core.listSubmissions(ctx.platform, ctx.actor, input.benchmark)),
  cancel: userProcedure
    .input(Id)
    .output(Cancelled)
    .mutation(({ ctx, input }) => core.cancelSubmission(ctx.platform, ctx.actor, input.id)),
  rerun: userProcedure
    .input(Id)
    .output(Requeued)
    .mutation(({ ctx, input }) => core.rerunSubmission(ctx.platform, ctx.actor, input.id)),
  logs: publicProcedure
    .input(
      z.object({
        runId: z.string().uuid(),
        submissionId: z.string().uuid(),
        afterId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      }),
    )
    .output(z.array(RunLogLine))
    .query(({ ctx, input }) => core.submissionLogs(ctx.platform, ctx.actor, input)),
  /** the current result on the submission's own version, or on `version` (re-scored after a release) */
  result: publicProcedure
    .input(OnVersion)
    .output(SubmissionResult)
    .query(({ ctx, input }) => core.submissionResultWithDownloads(ctx.platform, ctx.actor, input.id, input.version)),
  examples: publicProcedure
    .input(OnVersion.extend(core.ExampleFilter.shape))
    .output(ExamplePage)
    .query(({ ctx, input }) => {
      const { id, ...filter } = input;
      return core.submissionExamples(ctx.platform, ctx.actor, id, filter);
    }),
  /** the dataset version and artifact, by hash, to evaluate the submission again (`trueboard reproduce`) */
  reproduction: publicProcedure
    .input(OnVersion)
    .output(ReproductionRecipe)
    .query(({ ctx, input }) => core.reproductionRecipe(ctx.platform, ctx.actor, input.id, input.version)),
});
