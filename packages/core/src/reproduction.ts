import {
  type BenchmarkManifest,
  type DatasetBundleRef,
  type ReproductionRecipe,
  runnerAssets,
} from '@trueboard/contracts';
import { artifacts, benchmarks, type DbOrTx, datasetVersions, results, submissions } from '@trueboard/db';
import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from './actor';
import { DomainError, notFound } from './errors';
import { familyModule } from './families';
import type { Platform } from './platform';
import { versionOf } from './releases';
import { currentResult, type ExampleFilter, listExampleResults } from './results';
import { canSee, getSubmission } from './submission-views';

/**
 * A dataset version as an evaluator receives it: its files by hash and the benchmark's evaluator
 * settings. Runners' jobs and `trueboard reproduce` are both built from this, so a reproduction
 * runs with the options the stored result was computed with.
 */
export function datasetBundleRef(
  bench: { id: string; manifest: BenchmarkManifest },
  version: Pick<typeof datasetVersions.$inferSelect, 'number' | 'contentHash' | 'files'>,
): DatasetBundleRef {
  return {
    benchmark: bench.id,
    version: version.number,
    contentHash: version.contentHash,
    files: version.files,
    // the family's own settings, handed to its evaluator untouched
    evaluator: bench.manifest.evaluator ?? {},
    // large runner-side files, fetched by hash (the runner may read them: see blob-access.ts)
    // (without the importer's local `file`: runners know assets by hash alone)
    ...(bench.manifest.assets ? { assets: runnerAssets(bench.manifest.assets) } : {}),
  };
}

/** Versions (ascending) on which a submission has a current result. */
async function scoredVersions(db: DbOrTx, submissionId: string) {
  return db
    .select({ number: datasetVersions.number, id: datasetVersions.id })
    .from(results)
    .innerJoin(datasetVersions, eq(datasetVersions.id, results.datasetVersionId))
    .where(and(eq(results.submissionId, submissionId), eq(results.isCurrent, true)))
    .orderBy(asc(datasetVersions.number));
}

/**
 * The dataset version id a result lookup refers to: the submission's own version by default, or
 * version `number` of its benchmark (a release re-scores submissions on later versions).
 */
async function resultVersionId(p: Platform, s: { benchmarkId: string; datasetVersionId: string }, number?: number) {
  return number === undefined ? s.datasetVersionId : (await versionOf(p, s.benchmarkId, number)).id;
}

/** A submission's current result (with metrics) on its own version or on version `number`; null if none. */
export async function submissionResult(p: Platform, actor: Actor, id: string, number?: number) {
  const s = await getSubmission(p, actor, id);
  return currentResult(p.db, s.id, await resultVersionId(p, s, number));
}

/** Per-example rows of a submission's current result on its own version or on version `number`. */
export async function submissionExamples(
  p: Platform,
  actor: Actor,
  id: string,
  filter: ExampleFilter & { version?: number },
) {
  const { version, ...rest } = filter;
  const s = await getSubmission(p, actor, id);
  const res = await currentResult(p.db, s.id, await resultVersionId(p, s, version));
  if (!res) return { rows: [], total: 0, facets: [] };
  const rows = familyModule(p, s.benchmark.family)?.rows;
  const facets = rows?.facets.map((f) => f.field) ?? [];
  return listExampleResults(p.db, res.id, rest, facets, rows?.heavy);
}

/**
 * What `trueboard reproduce` needs to evaluate a submission again: the dataset version (the one
 * asked for, else the newest the submission has a result on) and the artifact, both by hash.
 * Visible to whoever may see the submission.
 */
export async function reproductionRecipe(
  p: Platform,
  actor: Actor,
  id: string,
  number?: number,
): Promise<ReproductionRecipe> {
  const s = await getSubmission(p, actor, id);
  const versions = (await scoredVersions(p.db, s.id)).map((v) => v.number);
  const chosen = number ?? versions.at(-1);
  if (chosen === undefined)
    throw new DomainError('conflict', `submission ${s.id} has no result yet (it is ${s.state})`);
  if (!versions.includes(chosen)) {
    const has = versions.length ? `it has results on ${versions.map((n) => `v${n}`).join(', ')}` : 'it has none yet';
    throw new DomainError('not_found', `submission ${s.id} has no result on version ${chosen}; ${has}`);
  }
  const [bench] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, s.benchmarkId));
  if (!bench) throw notFound(`benchmark "${s.benchmarkId}"`);
  const version = await versionOf(p, s.benchmarkId, chosen);
  const [artifact] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, s.artifactSha256));
  if (!artifact) throw notFound(`the artifact of submission ${s.id}`);
  return {
    submission: {
      id: s.id,
      benchmark: s.benchmarkId,
      family: bench.family,
      method: s.method.name,
      team: s.team.slug,
      isPublic: s.isPublic,
    },
    version: chosen,
    versions,
    dataset: datasetBundleRef(bench, version),
    artifact: { sha256: artifact.sha256, size: artifact.size },
  };
}

/**
 * A submission's artifact for download, with the submission's visibility: public ones to anyone,
 * private ones to their team and platform admins. Anyone else gets "not found", as for the
 * submission itself, so private ids cannot be probed.
 */
export async function submissionArtifact(p: Platform, actor: Actor, id: string) {
  const [s] = await p.db
    .select({ isPublic: submissions.isPublic, teamId: submissions.teamId, sha256: submissions.artifactSha256 })
    .from(submissions)
    .where(eq(submissions.id, id));
  if (!s || !(await canSee(p, actor, s))) throw notFound('submission');
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, s.sha256));
  if (!a || !(await p.storage.exists(a.storageKey))) throw notFound(`the artifact of submission ${id}`);
  return { sha256: a.sha256, size: a.size, open: () => p.storage.open(a.storageKey) };
}
