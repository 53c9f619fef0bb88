import { buffer } from 'node:stream/consumers';
import type { AnnotationCodec, Annotations, AuditAction } from '@trueboard/contracts';
import { artifacts, benchmarks, type DbOrTx, datasetVersions } from '@trueboard/db';
import { desc, eq } from 'drizzle-orm';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { badInput, notFound } from './errors';
import { codecFor } from './families';
import type { Platform } from './platform';

type Version = typeof datasetVersions.$inferSelect;
type Benchmark = typeof benchmarks.$inferSelect;

/** Reads a stored blob as text (dataset annotation files are small JSON/SQL files). */
export async function readBlobText(p: Platform, sha256: string): Promise<string> {
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha256));
  if (!a) throw notFound(`blob ${sha256}`);
  return (await buffer(p.storage.open(a.storageKey))).toString('utf8');
}

const annotationCache = new WeakMap<Platform, Map<string, Promise<VersionAnnotations>>>();

export interface VersionAnnotations {
  codec: AnnotationCodec;
  /** texts of the annotation files, by path */
  files: Record<string, string>;
  annotations: Annotations;
}

/** A version's gold annotations, parsed once per content hash. */
export async function versionAnnotations(p: Platform, family: string, version: Version): Promise<VersionAnnotations> {
  let cache = annotationCache.get(p);
  if (!cache) {
    cache = new Map();
    annotationCache.set(p, cache);
  }
  let found = cache.get(version.contentHash);
  if (!found) {
    found = (async () => {
      const picked = codecFor(
        p,
        family,
        version.files.map((f) => f.path),
      );
      if (!picked)
        throw badInput(`bad input: this benchmark's dataset layout has no annotation format for corrections yet`);
      const files: Record<string, string> = {};
      for (const path of picked.files) {
        const f = version.files.find((x) => x.path === path);
        if (f) files[path] = await readBlobText(p, f.sha256);
      }
      return { codec: picked.codec, files, annotations: picked.codec.read(files) };
    })();
    found.catch(() => cache?.delete(version.contentHash));
    cache.set(version.contentHash, found);
  }
  return found;
}

/** A benchmark and one of its versions (default: the latest). */
export async function benchmarkAndVersion(p: Platform, benchmarkId: string, number?: number) {
  const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, benchmarkId));
  if (!b) throw notFound(`benchmark "${benchmarkId}"`);
  const versions = await p.db
    .select()
    .from(datasetVersions)
    .where(eq(datasetVersions.benchmarkId, b.id))
    .orderBy(desc(datasetVersions.number));
  const version = number === undefined ? versions[0] : versions.find((v) => v.number === number);
  if (!version) throw notFound(`version ${number ?? 'latest'} of "${b.id}"`);
  return { b, version, latest: versions[0] ?? version };
}

/** The quorum of approvals a benchmark needs (manifest `corrections.quorum`, default 1). */
export function quorumOf(b: Benchmark): number {
  // manifests stored before `corrections` was part of the schema lack it
  return b.manifest.corrections?.quorum ?? 1;
}

/** Appends a correction's audit event (with its example), in the caller's transaction. */
export function auditCorrection(
  db: DbOrTx,
  actor: Actor,
  action: Extract<AuditAction, `correction.${string}`>,
  c: { id: string; exampleId: string },
  before: unknown,
  after: unknown,
) {
  return recordAudit(db, actor, {
    action,
    entityType: 'correction',
    entityId: c.id,
    exampleId: c.exampleId,
    before,
    after,
  });
}
