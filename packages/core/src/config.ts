import { resolve } from 'node:path';
import type { Family } from '@trueboard/contracts';
import { z } from 'zod';
import { describeIssues } from './errors';

const MiB = 1024 * 1024;

const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  TRUEBOARD_DATA_DIR: z.string().default('.trueboard'),
  TRUEBOARD_ARTIFACTS_DIR: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TRUEBOARD_DAILY_QUOTA: z.coerce.number().int().positive().default(20),
  TRUEBOARD_MAX_TEXT2SQL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * MiB),
  TRUEBOARD_MAX_RERANK_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * MiB),
  TRUEBOARD_MAX_LORA_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2048 * MiB),
  TRUEBOARD_LEASE_SECONDS: z.coerce.number().int().min(2).default(60),
  TRUEBOARD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  TRUEBOARD_SESSION_DAYS: z.coerce.number().int().positive().default(30),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  artifactsDir: string;
  port: number;
  dailyQuota: number;
  maxArtifactBytes: Record<Family, number>;
  leaseSeconds: number;
  maxAttempts: number;
  sessionDays: number;
}

/** Reads configuration from the environment once, at the edge; bad values fail with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // an empty variable means "not set" (e.g. `DATABASE_URL= npm start`)
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) throw new Error(describeIssues('environment', parsed.error.issues));
  const e = parsed.data;
  const dataDir = resolve(/*turbopackIgnore: true*/ e.TRUEBOARD_DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    artifactsDir: resolve(/*turbopackIgnore: true*/ e.TRUEBOARD_ARTIFACTS_DIR ?? `${dataDir}/artifacts`),
    port: e.PORT,
    dailyQuota: e.TRUEBOARD_DAILY_QUOTA,
    maxArtifactBytes: {
      text2sql: e.TRUEBOARD_MAX_TEXT2SQL_BYTES,
      rerank: e.TRUEBOARD_MAX_RERANK_BYTES,
      lora: e.TRUEBOARD_MAX_LORA_BYTES,
    },
    leaseSeconds: e.TRUEBOARD_LEASE_SECONDS,
    maxAttempts: e.TRUEBOARD_MAX_ATTEMPTS,
    sessionDays: e.TRUEBOARD_SESSION_DAYS,
  };
}
