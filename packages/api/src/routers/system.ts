import * as core from '@trueboard/core';
import { z } from 'zod';
import { Health, OnlineRunner, QueueOverview } from '../outputs/system';
import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  health: publicProcedure.output(Health).query(({ ctx }) => core.health(ctx.platform)),
  runners: publicProcedure.output(z.array(OnlineRunner)).query(({ ctx }) => core.listOnlineRunners(ctx.platform)),
  queue: publicProcedure.output(QueueOverview).query(({ ctx }) => core.queueOverview(ctx.platform, ctx.actor)),
});
