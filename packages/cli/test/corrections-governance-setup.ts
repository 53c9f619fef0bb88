import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBenchmarkDir, proposeCorrection, reviewCorrection } from '@trueboard/core';
import { datasetVersions } from '@trueboard/db';
import type { TestPlatform } from '@trueboard/testkit';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * Helpers of the corrections governance tests (corrections-release-safeguards, corrections-release-races,
 * corrections-quorum). Each of those files starts a Spider platform of its own in beforeAll, so the
 * helpers are handed a getter for it and read it when called, not when bound.
 */

export type SpiderEnv = Awaited<ReturnType<typeof spiderPlatform>>;

/*
 * The platform of the calling test file and its people, set by withSpiderEnv's beforeAll. Exported
 * `let`s are live bindings: the tests read their own file's platform without a getter.
 */
export let env: SpiderEnv;
export let p: TestPlatform;
export let admin: SpiderEnv['admin'];
export let proposer: SpiderEnv['proposer'];
export let reviewer: SpiderEnv['reviewer'];

/** Starts a Spider platform (v1 with its three baselines scored) for the calling test file. */
export function withSpiderEnv(): void {
  beforeAll(async () => {
    env = await spiderPlatform();
    ({ p, admin, proposer, reviewer } = env);
  }, 300_000);
  afterAll(() => env?.close());
}

export function governanceHelpers(platform: () => SpiderEnv) {
  /** Spider dev under another id, with manifest changes, and nothing submitted to it. */
  async function spiderCopy(id: string, manifest: Record<string, unknown> = {}) {
    const { p, admin } = platform();
    const dir = mkdtempSync(join(tmpdir(), `tb-${id}-`));
    try {
      cpSync(SPIDER, dir, { recursive: true });
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id, ...manifest }));
      await importBenchmarkDir(p, admin.actor, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return id;
  }

  /** A correction proposed by `proposer` and approved by `reviewer` (quorum 1). */
  async function approvedCorrection(benchmark: string, exampleId: string, fields: Record<string, string>) {
    const { p, proposer, reviewer } = platform();
    const c = await proposeCorrection(p, proposer.actor, {
      benchmark,
      exampleId,
      fields,
      category: 'query' in fields ? 'wrong_gold' : 'ambiguous_question',
      rationale: `test: example ${exampleId}`,
    });
    expect(await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' })).toEqual({
      id: c.id,
      state: 'approved',
    });
    return c;
  }

  /** The version numbers of a benchmark, in order. */
  async function versionNumbers(benchmark: string) {
    const { p } = platform();
    const rows = await p.db
      .select({ n: datasetVersions.number })
      .from(datasetVersions)
      .where(eq(datasetVersions.benchmarkId, benchmark))
      .orderBy(asc(datasetVersions.number));
    return rows.map((v) => v.n);
  }

  return { spiderCopy, approvedCorrection, versionNumbers };
}

export const { spiderCopy, approvedCorrection, versionNumbers } = governanceHelpers(() => env);
