import { EmailText } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import { z } from 'zod';
import { Membership, MyTeam, Team, TeamMember } from '../outputs/accounts';
import { router, teamProcedure, userProcedure } from '../trpc';

export const teamsRouter = router({
  mine: userProcedure.output(z.array(MyTeam)).query(({ ctx }) => core.listMyTeams(ctx.platform, ctx.actor)),
  create: userProcedure
    .input(core.TeamInput)
    .output(Team)
    .mutation(({ ctx, input }) => core.createTeam(ctx.platform, ctx.actor, input)),
  members: teamProcedure('member')
    .output(z.array(TeamMember))
    .query(({ ctx, input }) => core.listMembers(ctx.platform, ctx.actor, input.team)),
  setMember: teamProcedure('admin')
    .input(z.object({ email: EmailText, role: core.RoleSchema }))
    .output(Membership)
    .mutation(({ ctx, input }) => core.setMember(ctx.platform, ctx.actor, input)),
  removeMember: teamProcedure('admin')
    .input(z.object({ email: EmailText }))
    .output(z.void())
    .mutation(({ ctx, input }) => core.removeMember(ctx.platform, ctx.actor, input)),
});
