import * as core from '@trueboard/core';
import { MethodInput } from '@trueboard/contracts';
import { publicProcedure, router, teamProcedure } from '../trpc';
import { Slug } from '@trueboard/contracts';
import { z } from 'zod';

export const methodsRouter = router({
  create: teamProcedure('member')
    .input(MethodInput.omit({ team: true }))
    .mutation(({ ctx, input }) => core.createMethod(ctx.platform, ctx.actor, input)),
  list: publicProcedure
    .input(z.object({ team: Slug }))
    .query(({ ctx, input }) => core.listTeamMethods(ctx.platform, input.team)),
});
