import { z } from 'zod';

/**
 * The evaluator families. Every list of families derives from these options (the database's check
 * constraint, the job queues, the upload-limit variables), and both registries are keyed by them
 * (packages/families, apps/web/families), so a family added here is a compile error until it has
 * a module and a view; `npm run db:generate` then makes the migration for the check constraint.
 */
export const Family = z.enum(['text2sql', 'rerank', 'lora']);
export type Family = z.infer<typeof Family>;

/** URL-safe identifier used for benchmarks, teams and other slugs. */
export const Slug = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'use lowercase letters, digits and dashes (e.g. "spider-dev")');
export type Slug = z.infer<typeof Slug>;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
export type Sha256 = z.infer<typeof Sha256>;
