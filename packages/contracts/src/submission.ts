import { z } from 'zod';
import { Slug } from './family';
import { DisplayName, UserText } from './text';

export const SubmissionState = z.enum(['submitted', 'queued', 'running', 'finished', 'failed', 'cancelled']);
export type SubmissionState = z.infer<typeof SubmissionState>;

export const FailureCategory = z.enum(['user_error', 'infra', 'timeout']);
export type FailureCategory = z.infer<typeof FailureCategory>;

/** Allowed lifecycle transitions; anything else is refused by core. */
export const submissionTransitions: Record<SubmissionState, readonly SubmissionState[]> = {
  submitted: ['queued', 'failed', 'cancelled'],
  queued: ['running', 'failed', 'cancelled'],
  running: ['queued', 'finished', 'failed', 'cancelled'],
  finished: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
};

export const Hyperparameters = z
  .object({
    learningRate: z
      .number()
      .positive('learning rate must be > 0')
      .max(10, 'learning rate above 10 is not plausible')
      .optional(),
  })
  .catchall(z.union([z.string().max(500), z.number().min(-1e12).max(1e12), z.boolean(), z.null()]))
  .refine((h) => Object.keys(h).length <= 100, 'at most 100 hyperparameters');
export type Hyperparameters = z.infer<typeof Hyperparameters>;

const HttpUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const MethodInput = z.object({
  team: Slug,
  name: DisplayName(120),
  description: UserText(5000).default(''),
  paperUrl: HttpUrl.optional(),
  codeUrl: HttpUrl.optional(),
  hyperparameters: Hyperparameters.default({}),
  /** free labels for filtering a leaderboard, e.g. "open-weights", "gpt-4" */
  tags: z
    .array(
      z
        .string()
        .max(40)
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9][a-z0-9+.-]{0,39}$/, 'tags are short lowercase words: letters, digits, "+", "." or "-"'),
    )
    .max(10, 'at most 10 tags')
    .default([]),
});
export type MethodInput = z.infer<typeof MethodInput>;

export const SubmissionMeta = z.object({
  benchmark: Slug,
  method: z.string().uuid(),
  /** a short note shown on the submission page */
  note: UserText(2000).default(''),
  isPublic: z.boolean().default(true),
});
export type SubmissionMeta = z.infer<typeof SubmissionMeta>;

/**
 * A client's id for one upload (`Idempotency-Key` on POST /api/submissions): an upload repeated
 * with the same key, after a lost answer or a 503, is the first submission, not a second one.
 */
export const ClientRequestId = z
  .string()
  .regex(/^[!-~]{1,200}$/, '1 to 200 visible ASCII characters (a UUID is a good choice)');
export type ClientRequestId = z.infer<typeof ClientRequestId>;
