import * as core from '@trueboard/core';
import { z } from 'zod';
import { ApiToken, CreatedApiToken, CreatedRunnerToken, RunnerToken } from '../outputs/accounts';
import { adminProcedure, router, userProcedure } from '../trpc';

export const tokensRouter = router({
  list: userProcedure.output(z.array(ApiToken)).query(({ ctx }) => core.listApiTokens(ctx.platform, ctx.actor)),
  create: userProcedure
    .input(core.TokenInput)
    .output(CreatedApiToken)
    .mutation(({ ctx, input }) => core.createApiToken(ctx.platform, ctx.actor, input)),
  revoke: userProcedure
    .input(z.object({ id: z.string().uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => core.revokeApiToken(ctx.platform, ctx.actor, input.id)),
});

export const runnerTokensRouter = router({
  list: adminProcedure.output(z.array(RunnerToken)).query(({ ctx }) => core.listRunnerTokens(ctx.platform, ctx.actor)),
  create: adminProcedure
    .input(core.TokenInput.pick({ name: true }))
    .output(CreatedRunnerToken)
    .mutation(({ ctx, input }) => core.createRunnerToken(ctx.platform, ctx.actor, input)),
  revoke: adminProcedure
    .input(z.object({ id: z.string().uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => core.revokeRunnerToken(ctx.platform, ctx.actor, input.id)),
});
