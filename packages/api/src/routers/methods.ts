import { MethodInput, Slug } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import { CreatedMethod, Method } from '../outputs/methods';
import { publicProcedure, router, teamProcedure } from '../trpc';

export const methodsRouter = router({
  create: teamProcedure('member')
    .input(MethodInput.omit({ team: true }))
    .output(CreatedMethod)
    .mutation(({ ctx, input }) => core.createMethod(ctx.platform, ctx.actor, input)),
  list: publicProcedure
    .input(z.object({ team: Slug }))
    .output(z.array(Method))
    .query(({ ctx, input }) => core.listTeamMethods(ctx.platform, ctx.actor, input.team)),
});
