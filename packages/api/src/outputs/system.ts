import { Family } from '@trueboard/contracts';
import { z } from 'zod';

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.boolean(),
  queue: z.boolean(),
  runners: z.number().int(),
});

/** A connected runner: never its token. */
export const OnlineRunner = z.object({
  id: z.string(),
  hostname: z.string(),
  device: z.string(),
  families: z.array(z.string()),
  version: z.string(),
  lastSeenAt: z.date(),
});

/** A run in the queue overview (core masks a private submission's method and team for all but admins). */
const QueuedRun = z.object({
  runId: z.string(),
  state: z.string(),
  kind: z.string(),
  attempt: z.number().int(),
  queuedAt: z.date(),
  startedAt: z.date().nullable(),
  progress: z.number(),
  progressMessage: z.string(),
  runner: z.string().nullable(),
  submissionId: z.string(),
  isPublic: z.boolean(),
  method: z.string(),
  team: z.string(),
  benchmark: z.string(),
  family: Family,
});

export const QueueOverview = z.object({
  queued: z.array(QueuedRun.extend({ position: z.number().int(), waitingSeconds: z.number() })),
  running: z.array(QueuedRun),
  runners: z.array(OnlineRunner),
  failures: z.array(
    z.object({
      submissionId: z.string(),
      isPublic: z.boolean(),
      method: z.string(),
      team: z.string(),
      benchmark: z.string(),
      failedAt: z.date().nullable(),
      category: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
});
