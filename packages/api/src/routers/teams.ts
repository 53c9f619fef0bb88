import * as core from '@trueboard/core';
import { z } from 'zod';
import { router, teamProcedure, userProcedure } from '../trpc';

export const teamsRouter = router({
  mine: userProcedure.query(({ ctx }) => core.listMyTeams(ctx.platform, ctx.actor)),
  create: userProcedure
    .input(z.object({ slug: z.string(), name: z.string() }))
    .mutation(({ ctx, input }) => core.createTeam(ctx.platform, ctx.actor, input)),
  members: teamProcedure('member').query(({ ctx, input }) => core.listMembers(ctx.platform, ctx.actor, input.team)),
  setMember: teamProcedure('admin')
    .input(z.object({ email: z.string(), role: core.RoleSchema }))
    .mutation(({ ctx, input }) => core.setMember(ctx.platform, ctx.actor, input)),
  removeMember: teamProcedure('admin')
    .input(z.object({ email: z.string() }))
    .mutation(({ ctx, input }) => core.removeMember(ctx.platform, ctx.actor, input)),
});
