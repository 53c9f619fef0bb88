import * as core from '@trueboard/core';
import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  health: publicProcedure.query(({ ctx }) => core.health(ctx.platform)),
  runners: publicProcedure.query(({ ctx }) => core.listOnlineRunners(ctx.platform)),
  queue: publicProcedure.query(({ ctx }) => core.queueOverview(ctx.platform, ctx.actor)),
});
