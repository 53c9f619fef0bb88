import { join } from 'node:path';
import { BenchmarkManifest, DatasetFile } from '@trueboard/contracts';
import { artifacts, benchmarks, datasetVersions, memberships, teams } from '@trueboard/db';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parse, requireUser } from './accounts';
import type { Actor } from './actor';
import { checkAssets, storeAssetFiles } from './assets';
import { recordAudit } from './audit';
import { readManifest } from './dataset-dir';
import { datasetContentHash, expandFiles, storeDatasetFiles } from './datasets';
import { badInput, conflict, DomainError, forbidden, notFound } from './errors';
import { familyArtifactMaxBytes } from './families';
import { manifestChanges } from './manifest-changes';
import type { Platform } from './platform';
import { roleIn } from './teams';

export { readManifest } from './dataset-dir';

export interface ImportResult {
  benchmark: string;
  version: number;
  contentHash: string;
  files: number;
  created: boolean;
}

/** Reads a benchmark directory, stores its files content-addressed and registers it. */
export interface RegisterOptions {
  /** the platform's own import of its bundled benchmarks: may use the reserved ids */
  bundled?: boolean;
}

export async function importBenchmarkDir(
  p: Platform,
  actor: Actor,
  dir: string,
  onFile?: (done: number, total: number, path: string) => void,
  opts: RegisterOptions = {},
): Promise<ImportResult> {
  requireUser(actor);
  const m = await readManifest(dir);
  await authorizeImport(p, actor, m, opts);
  const paths = await expandFiles(dir, m.files);
  if (paths.length === 0) throw badInput(`bad input: ${join(dir, 'manifest.json')}: "files" matched no files`);
  const files = await storeDatasetFiles(p.db, p.storage, dir, paths, onFile);
  await storeAssetFiles(p, dir, m);
  return registerBenchmark(p, actor, m, files, opts);
}

/** Uploading dataset files is for those who may register benchmarks: admins and allow-listed maintainers. */
export async function requireBenchmarkRegistrar(p: Platform, actor: Actor): Promise<void> {
  const u = requireUser(actor);
  if (u.isAdmin) return;
  const allowed = p.config.benchmarkTeams;
  const [m] = allowed.length
    ? await p.db
        .select({ role: memberships.role })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(
          and(
            eq(memberships.userId, u.userId),
            inArray(memberships.role, ['admin', 'maintainer']),
            inArray(teams.slug, allowed),
          ),
        )
        .limit(1)
    : [];
  if (!m)
    throw forbidden(
      'uploading dataset files needs a platform admin, or the maintainer role in a team on the TRUEBOARD_BENCHMARK_TEAMS allow-list',
    );
}

/**
 * Registering a (public) benchmark is for platform admins, or maintainers of a team on the
 * TRUEBOARD_BENCHMARK_TEAMS allow-list registering it for that team. The ids of the bundled
 * benchmarks are reserved for the platform's own import, so nobody can squat them.
 */
async function authorizeImport(p: Platform, actor: Actor, m: BenchmarkManifest, opts: RegisterOptions) {
  const u = requireUser(actor);
  if (!opts.bundled && p.reservedBenchmarkIds?.has(m.id))
    throw forbidden(`the benchmark id "${m.id}" is reserved for a benchmark bundled with Trueboard; choose another id`);
  const [team] = await p.db.select().from(teams).where(eq(teams.slug, m.ownerTeam));
  if (u.isAdmin) return team;
  if (!p.config.benchmarkTeams.includes(m.ownerTeam))
    throw forbidden(
      `registering a benchmark needs a platform admin (team "${m.ownerTeam}" is not on the TRUEBOARD_BENCHMARK_TEAMS allow-list)`,
    );
  if (!team) throw forbidden(`team "${m.ownerTeam}" does not exist; create it first or ask a platform admin`);
  const role = await roleIn(p.db, u, team.id);
  if (role !== 'admin' && role !== 'maintainer')
    throw forbidden(`registering a benchmark for team "${m.ownerTeam}" needs the maintainer role there`);
  return team;
}

/**
 * Registers a benchmark and its dataset version 1 from a validated manifest and files already in
 * the blob store. Re-registering identical data is a no-op; different data under an existing id
 * is refused (new versions come from releases), and so are the same files with other assets or
 * evaluator settings (manifest-changes.ts), which no release changes.
 */
export async function registerBenchmark(
  p: Platform,
  actor: Actor,
  manifestInput: unknown,
  filesInput: unknown,
  opts: RegisterOptions = {},
): Promise<ImportResult> {
  const u = requireUser(actor);
  const m = parse(BenchmarkManifest, manifestInput, 'manifest.json');
  const team = await authorizeImport(p, actor, m, opts);
  const files = parse(z.array(DatasetFile).min(1, 'no files').max(10_000), filesInput, 'files');
  const paths = new Set<string>();
  for (const f of files) {
    if (paths.has(f.path)) throw badInput(`bad input: files: "${f.path}" is listed twice`);
    paths.add(f.path);
  }
  const known = await p.db
    .select({ sha256: artifacts.sha256, size: artifacts.size })
    .from(artifacts)
    .where(inArray(artifacts.sha256, [...new Set(files.map((f) => f.sha256))]));
  const sizes = new Map(known.map((k) => [k.sha256, k.size]));
  for (const f of files) {
    const size = sizes.get(f.sha256);
    if (size === undefined)
      throw badInput(`bad input: files: "${f.path}" (sha256 ${f.sha256.slice(0, 12)}…) was not uploaded`);
    if (size !== f.size)
      throw badInput(`bad input: files: "${f.path}" has size ${f.size} but the stored blob has ${size}`);
  }
  await checkAssets(p.db, m.assets, files);
  const contentHash = datasetContentHash(files);
  return p.db.transaction(async (tx) => {
    // one importer at a time per benchmark id
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`benchmark:${m.id}`}))`);
    const [existing] = await tx
      .select({ contentHash: datasetVersions.contentHash, manifest: benchmarks.manifest })
      .from(datasetVersions)
      .innerJoin(benchmarks, eq(benchmarks.id, datasetVersions.benchmarkId))
      .where(and(eq(datasetVersions.benchmarkId, m.id), eq(datasetVersions.number, 1)));
    if (existing) {
      if (existing.contentHash === contentHash) {
        const changes = manifestChanges(existing.manifest, m);
        if (changes.length)
          throw conflict(
            `benchmark "${m.id}" is registered with these files but other assets or evaluator settings: ${changes.join('; ')}. ` +
              'They are fixed once registered (every version is evaluated with them): restore the registered values in manifest.json, or register the changed benchmark under a new "id"',
          );
        return { benchmark: m.id, version: 1, contentHash, files: files.length, created: false };
      }
      throw conflict(
        `benchmark "${m.id}" already exists with different data; publish changes as a new version through corrections`,
      );
    }
    let teamId = team?.id;
    if (!teamId) {
      const [t] = await tx.insert(teams).values({ slug: m.ownerTeam, name: m.ownerTeam }).returning();
      if (!t) throw new Error('team insert returned nothing');
      teamId = t.id;
      await tx.insert(memberships).values({ teamId, userId: u.userId, role: 'admin' });
      await recordAudit(tx, u, {
        action: 'team.created',
        entityType: 'team',
        entityId: teamId,
        after: { slug: m.ownerTeam },
      });
    }
    await tx.insert(benchmarks).values({
      id: m.id,
      name: m.name,
      family: m.family,
      description: m.description,
      ownerTeamId: teamId,
      metrics: m.metrics,
      primaryMetric: m.primaryMetric,
      manifest: m,
      dailyQuota: m.limits.dailyQuota ?? null,
      artifactMaxBytes: m.limits.artifactMaxBytes ?? null,
    });
    const [v] = await tx
      .insert(datasetVersions)
      .values({ benchmarkId: m.id, number: 1, contentHash, files, createdBy: u.userId, changelog: 'Initial import.' })
      .returning();
    if (!v) throw new Error('dataset version insert returned nothing');
    await recordAudit(tx, u, {
      action: 'benchmark.imported',
      entityType: 'benchmark',
      entityId: m.id,
      after: { name: m.name, family: m.family },
    });
    await recordAudit(tx, u, {
      action: 'dataset_version.released',
      entityType: 'benchmark',
      entityId: m.id,
      after: { number: 1, contentHash, files: files.length },
    });
    return { benchmark: m.id, version: 1, contentHash, files: files.length, created: true };
  });
}

export async function getBenchmark(p: Platform, id: string) {
  const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, id));
  if (!b) throw new DomainError('not_found', `unknown benchmark "${id}"`);
  return b;
}

export async function latestVersion(p: Platform, benchmarkId: string) {
  const [v] = await p.db
    .select()
    .from(datasetVersions)
    .where(and(eq(datasetVersions.benchmarkId, benchmarkId), eq(datasetVersions.status, 'released')))
    .orderBy(desc(datasetVersions.number))
    .limit(1);
  if (!v) throw notFound(`a released dataset version of "${benchmarkId}"`);
  return v;
}

export async function listBenchmarks(p: Platform) {
  const rows = await p.db
    .select({
      id: benchmarks.id,
      name: benchmarks.name,
      family: benchmarks.family,
      description: benchmarks.description,
      primaryMetric: benchmarks.primaryMetric,
      artifactMaxBytes: benchmarks.artifactMaxBytes,
      // qualified by hand: drizzle renders a lone column unqualified, which the subquery would bind to its own table
      latestVersion: sql<number>`(select max(dv.number) from dataset_versions dv where dv.benchmark_id = "benchmarks"."id")`,
      submissions: sql<number>`(select count(*)::int from submissions s where s.benchmark_id = "benchmarks"."id")`,
    })
    .from(benchmarks)
    .orderBy(benchmarks.family, benchmarks.id);
  // the limit an upload is held to: the benchmark's own, else its family's
  return rows.map(({ artifactMaxBytes, ...r }) => ({
    ...r,
    maxArtifactBytes: artifactMaxBytes ?? familyArtifactMaxBytes(p, r.family),
  }));
}

export async function listVersions(p: Platform, benchmarkId: string) {
  await getBenchmark(p, benchmarkId);
  return p.db
    .select({
      number: datasetVersions.number,
      contentHash: datasetVersions.contentHash,
      status: datasetVersions.status,
      changelog: datasetVersions.changelog,
      createdAt: datasetVersions.createdAt,
      files: datasetVersions.files,
    })
    .from(datasetVersions)
    .where(eq(datasetVersions.benchmarkId, benchmarkId))
    .orderBy(desc(datasetVersions.number));
}
