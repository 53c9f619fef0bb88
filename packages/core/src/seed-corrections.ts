import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorrectionCategory } from '@trueboard/contracts';
import { corrections, datasetVersions, results, submissions, users } from '@trueboard/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parse, requireAdmin, signUp } from './accounts';
import type { Actor } from './actor';
import { proposeCorrection, reviewCorrection } from './corrections';
import { badInput } from './errors';
import type { Platform } from './platform';
import { releaseVersion } from './releases';

const CuratedCorrections = z.object({
  source: z.string().min(1),
  corrections: z.array(
    z.object({
      exampleId: z.string().min(1),
      fields: z.record(z.string(), z.string()),
      category: CorrectionCategory,
      rationale: z.string().min(1),
      evidence: z.string().default(''),
    }),
  ),
});

export const CURATOR_EMAIL = 'curator@trueboard.invalid';

/**
 * The first start's real correction history: `<dir>/corrections/corrections.json` (checked
 * corrections of real gold errors) goes through the workflow itself — proposed by a curator
 * account, approved by the admin (a different person, as the workflow demands), released as the
 * next version — once the version-1 results exist, so the release re-scores them. Does nothing when
 * the file is missing or the benchmark already has corrections; returns what it did.
 */
export async function seedCorrections(p: Platform, admin: Actor, benchmarkId: string, dir: string) {
  requireAdmin(admin);
  let raw: unknown;
  const file = join(dir, 'corrections', 'corrections.json');
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw badInput(`bad input: ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const curated = parse(CuratedCorrections, raw, file);
  const [any] = await p.db
    .select({ id: corrections.id })
    .from(corrections)
    .where(eq(corrections.benchmarkId, benchmarkId))
    .limit(1);
  if (any) return null;
  let [curator] = await p.db.select().from(users).where(eq(users.email, CURATOR_EMAIL));
  if (!curator) {
    // a real account that nobody signs in to: its password is random and never shown
    const u = await signUp(p, {
      email: CURATOR_EMAIL,
      name: 'Trueboard curator',
      password: randomBytes(24).toString('hex'),
    });
    [curator] = await p.db.select().from(users).where(eq(users.id, u.id));
  }
  if (!curator) throw new Error('curator account missing');
  const curatorActor: Actor = { kind: 'user', userId: curator.id, isAdmin: false, via: 'token' };
  for (const c of curated.corrections) {
    // the platform's own curated list: not subject to the per-user proposal rate limit
    const made = await proposeCorrection(
      p,
      curatorActor,
      {
        benchmark: benchmarkId,
        exampleId: c.exampleId,
        fields: c.fields,
        category: c.category,
        rationale: c.rationale,
        evidence: c.evidence ? `${c.evidence}\n\nSource: ${curated.source}` : curated.source,
      },
      { rateLimited: false },
    );
    await reviewCorrection(p, admin, { id: made.id, decision: 'approve', comment: 'Checked against the database.' });
  }
  return releaseVersion(p, admin, { benchmark: benchmarkId, note: curated.source });
}

/**
 * Whether a benchmark's evaluations have settled: nothing of it is waiting or running, and version 1
 * has results (so a release now re-scores them). Survives restarts: it reads the database only.
 */
export async function benchmarkSettled(p: Platform, benchmarkId: string): Promise<boolean> {
  const [live] = await p.db
    .select({ n: sql<number>`count(*)::int` })
    .from(submissions)
    .where(
      and(eq(submissions.benchmarkId, benchmarkId), inArray(submissions.state, ['submitted', 'queued', 'running'])),
    );
  if ((live?.n ?? 0) > 0) return false;
  const [scored] = await p.db
    .select({ n: sql<number>`count(*)::int` })
    .from(results)
    .innerJoin(datasetVersions, eq(datasetVersions.id, results.datasetVersionId))
    .where(
      and(eq(datasetVersions.benchmarkId, benchmarkId), eq(datasetVersions.number, 1), eq(results.isCurrent, true)),
    );
  return (scored?.n ?? 0) > 0;
}
