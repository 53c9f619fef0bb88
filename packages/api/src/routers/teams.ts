import { EmailText } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import { router, teamProcedure, userProcedure } from '../trpc';

export const teamsRouter = router({
  mine: userProcedure.query(({ ctx }) => core.listMyTeams(ctx.platform, ctx.actor)),
  create: userProcedure
    .input(core.TeamInput)
    .mutation(({ ctx, input }) => core.createTeam(ctx.platform, ctx.actor, input)),
  members: teamProcedure('member').query(({ ctx, input }) => core.listMembers(ctx.platform, ctx.actor, input.team)),
  setMember: teamProcedure('admin')
    .input(z.object({ email: EmailText, role: core.RoleSchema }))
    .mutation(({ ctx, input }) => core.setMember(ctx.platform, ctx.actor, input)),
  removeMember: teamProcedure('admin')
    .input(z.object({ email: EmailText }))
    .mutation(({ ctx, input }) => core.removeMember(ctx.platform, ctx.actor, input)),
});
