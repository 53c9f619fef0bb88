import { z } from 'zod';

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
