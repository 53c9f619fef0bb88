import * as core from '@trueboard/core';
import { z } from 'zod';
import { adminProcedure, router, userProcedure } from '../trpc';

export const tokensRouter = router({
  list: userProcedure.query(({ ctx }) => core.listApiTokens(ctx.platform, ctx.actor)),
  create: userProcedure
    .input(core.TokenInput)
    .mutation(({ ctx, input }) => core.createApiToken(ctx.platform, ctx.actor, input)),
  revoke: userProcedure
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => core.revokeApiToken(ctx.platform, ctx.actor, input.id)),
});

export const runnerTokensRouter = router({
  list: adminProcedure.query(({ ctx }) => core.listRunnerTokens(ctx.platform, ctx.actor)),
  create: adminProcedure
    .input(core.TokenInput.pick({ name: true }))
    .mutation(({ ctx, input }) => core.createRunnerToken(ctx.platform, ctx.actor, input)),
  revoke: adminProcedure
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => core.revokeRunnerToken(ctx.platform, ctx.actor, input.id)),
});
