import { resolve } from 'node:path';
import { Family } from '@trueboard/contracts';
import { z } from 'zod';
import { describeIssues } from './errors';

const MiB = 1024 * 1024;

const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  TRUEBOARD_DATA_DIR: z.string().default('.trueboard'),
  TRUEBOARD_ARTIFACTS_DIR: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TRUEBOARD_DAILY_QUOTA: z.coerce.number().int().positive().default(20),
  TRUEBOARD_LEASE_SECONDS: z.coerce.number().int().min(2).default(60),
  TRUEBOARD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  TRUEBOARD_SESSION_DAYS: z.coerce.number().int().positive().default(30),
  // the address users open (https://… behind a TLS proxy): session cookies get `Secure`, Host is checked against it
  TRUEBOARD_PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL')
    .optional(),
  // how many reverse proxies in front of us to believe (X-Forwarded-For/-Proto/-Host); 0 = none
  TRUEBOARD_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  // more host names the server answers to (comma-separated; `.example.org` includes subdomains, `*` any)
  TRUEBOARD_ALLOWED_HOSTS: z.string().default(''),
  // per-user limits over a rolling 24 hours, across all teams (teams are free, so per-team limits alone are not enough)
  TRUEBOARD_USER_DAILY_SUBMISSIONS: z.coerce.number().int().positive().default(50),
  TRUEBOARD_USER_DAILY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * MiB),
  TRUEBOARD_USER_DAILY_TEAMS: z.coerce.number().int().positive().default(5),
  // teams whose maintainers may register benchmarks (besides platform admins); comma-separated slugs
  TRUEBOARD_BENCHMARK_TEAMS: z.string().default(''),
  // correction proposals per user per rolling hour (each one makes a runner execute its gold); admins are exempt
  TRUEBOARD_PROPOSALS_PER_HOUR: z.coerce.number().int().positive().max(100_000).default(20),
  // how long a proposal waits for a runner of its family before it shows as `unvalidated`
  TRUEBOARD_VALIDATION_WAIT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
  // the largest benchmark asset (manifest `assets`: a base model, a candidate run) one upload may store
  TRUEBOARD_MAX_ASSET_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * MiB),
  // user content (dataset files, diffs, changelogs) linked from another origin than the app's
  TRUEBOARD_DOWNLOAD_ORIGIN: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL')
    .optional(),
});

/** Per family: the variable that overrides the upload limit its module declares. */
const maxBytesVariable = (f: Family) => `TRUEBOARD_MAX_${f.toUpperCase()}_BYTES`;
const MaxBytes = z.object(
  Object.fromEntries(Family.options.map((f) => [maxBytesVariable(f), z.coerce.number().int().positive().optional()])),
);

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  artifactsDir: string;
  port: number;
  dailyQuota: number;
  /** upload limits set by the environment (TRUEBOARD_MAX_<FAMILY>_BYTES); unset: the family's own (familyArtifactMaxBytes) */
  maxArtifactBytes: Partial<Record<Family, number>>;
  leaseSeconds: number;
  maxAttempts: number;
  sessionDays: number;
  /** origin users open the platform at, if configured (its scheme decides the cookie's `Secure`) */
  publicUrl: string | undefined;
  /** reverse proxies to trust for the client address, scheme and host */
  trustProxy: number;
  /** extra names the Host header may carry (besides the public URL's, loopback and this machine's) */
  allowedHosts: string[];
  /** per user, rolling 24 hours: submissions, uploaded artifact bytes, teams created */
  userDaily: { submissions: number; bytes: number; teams: number };
  /** teams whose maintainers may register benchmarks; platform admins always can */
  benchmarkTeams: string[];
  /** correction proposals one user may make per rolling hour (invalid ones count; admins are exempt) */
  proposalsPerHour: number;
  /** seconds a proposal waits for a runner of its family to validate it before it reads `unvalidated` */
  validationWaitSeconds: number;
  /** origin (scheme://host[:port]) that serves downloads of user content, if separate from the app */
  downloadOrigin: string | undefined;
  /** bytes one benchmark asset may have (TRUEBOARD_MAX_ASSET_BYTES) */
  maxAssetBytes: number;
}

/** Reads configuration from the environment once, at the edge; bad values fail with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // an empty variable means "not set" (e.g. `DATABASE_URL= npm start`)
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) throw new Error(describeIssues('environment', parsed.error.issues));
  const limits = MaxBytes.safeParse(cleaned);
  if (!limits.success) throw new Error(describeIssues('environment', limits.error.issues));
  const e = parsed.data;
  const hostOf = (u: string | undefined) => (u ? new URL(u).host : undefined);
  if (e.TRUEBOARD_DOWNLOAD_ORIGIN && hostOf(e.TRUEBOARD_DOWNLOAD_ORIGIN) === hostOf(e.TRUEBOARD_PUBLIC_URL)) {
    // that origin serves downloads only: the app would be unreachable
    throw new Error('bad input: environment: TRUEBOARD_DOWNLOAD_ORIGIN must be another host than TRUEBOARD_PUBLIC_URL');
  }
  const dataDir = resolve(/*turbopackIgnore: true*/ e.TRUEBOARD_DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    artifactsDir: resolve(/*turbopackIgnore: true*/ e.TRUEBOARD_ARTIFACTS_DIR ?? `${dataDir}/artifacts`),
    port: e.PORT,
    dailyQuota: e.TRUEBOARD_DAILY_QUOTA,
    maxArtifactBytes: Object.fromEntries(
      Family.options.flatMap((f) => {
        const v = limits.data[maxBytesVariable(f)];
        return v === undefined ? [] : [[f, v]];
      }),
    ),
    leaseSeconds: e.TRUEBOARD_LEASE_SECONDS,
    maxAttempts: e.TRUEBOARD_MAX_ATTEMPTS,
    sessionDays: e.TRUEBOARD_SESSION_DAYS,
    publicUrl: e.TRUEBOARD_PUBLIC_URL ? new URL(e.TRUEBOARD_PUBLIC_URL).origin : undefined,
    trustProxy: e.TRUEBOARD_TRUST_PROXY,
    allowedHosts: e.TRUEBOARD_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    userDaily: {
      submissions: e.TRUEBOARD_USER_DAILY_SUBMISSIONS,
      bytes: e.TRUEBOARD_USER_DAILY_BYTES,
      teams: e.TRUEBOARD_USER_DAILY_TEAMS,
    },
    benchmarkTeams: e.TRUEBOARD_BENCHMARK_TEAMS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    proposalsPerHour: e.TRUEBOARD_PROPOSALS_PER_HOUR,
    validationWaitSeconds: e.TRUEBOARD_VALIDATION_WAIT_SECONDS,
    downloadOrigin: e.TRUEBOARD_DOWNLOAD_ORIGIN ? new URL(e.TRUEBOARD_DOWNLOAD_ORIGIN).origin : undefined,
    maxAssetBytes: e.TRUEBOARD_MAX_ASSET_BYTES,
  };
}
