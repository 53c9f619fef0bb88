import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  AssetName,
  type BenchmarkManifest,
  type DatasetFile,
  formatBytes,
  type ManifestAsset,
  Sha256,
} from '@trueboard/contracts';
import { artifacts, type DbOrTx } from '@trueboard/db';
import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { parse } from './accounts';
import type { Actor } from './actor';
import { requireBenchmarkRegistrar } from './benchmarks';
import { recordBlob } from './blobs';
import { badInput, DomainError } from './errors';
import type { Platform } from './platform';

/**
 * Benchmark assets (manifest `assets`): large runner-side files stored content-addressed like
 * dataset files, but outside any dataset version. Runners fetch them by hash (blob-access.ts lets
 * a runner read the assets of the benchmark it holds a job of); an upload is streamed into the
 * store, checked against the manifest's hash and size, and held to TRUEBOARD_MAX_ASSET_BYTES.
 */

const AssetUpload = z.object({ name: AssetName, sha256: Sha256, bytes: z.number().int().nonnegative() });
export type AssetUpload = z.infer<typeof AssetUpload>;

/** The sizes of the blobs the store holds among `hashes`. */
async function storedSizes(db: DbOrTx, hashes: readonly string[]): Promise<Map<string, number>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .select({ sha256: artifacts.sha256, size: artifacts.size })
    .from(artifacts)
    .where(inArray(artifacts.sha256, [...new Set(hashes)]));
  return new Map(rows.map((r) => [r.sha256, r.size]));
}

/**
 * Whether the platform already holds a blob (its size, else null), and the largest asset it takes:
 * an importer skips uploading what is there and stops before sending what would be refused. For
 * those who may register benchmarks, like the upload itself.
 */
export async function storedAsset(
  p: Platform,
  actor: Actor,
  sha256: string,
): Promise<{ size: number | null; maxBytes: number }> {
  await requireBenchmarkRegistrar(p, actor);
  const hash = parse(Sha256, sha256, 'sha256');
  return { size: (await storedSizes(p.db, [hash])).get(hash) ?? null, maxBytes: p.config.maxAssetBytes };
}

function tooLarge(p: Platform, a: AssetUpload): DomainError {
  return new DomainError(
    'too_large',
    `asset "${a.name}" has ${formatBytes(a.bytes)}, more than the platform's limit of ${formatBytes(p.config.maxAssetBytes)} per asset (TRUEBOARD_MAX_ASSET_BYTES)`,
    { maxBytes: p.config.maxAssetBytes },
  );
}

/** Streams one asset into the store, refusing bytes whose hash or size is not the manifest's. */
async function putAsset(p: Platform, a: AssetUpload, body: Readable): Promise<{ sha256: string; size: number }> {
  if (a.bytes > p.config.maxAssetBytes) throw tooLarge(p, a);
  const blob = await p.storage.put(body, {
    maxBytes: p.config.maxAssetBytes,
    label: `asset "${a.name}"`,
    expectSha256: a.sha256,
  });
  // the bytes are the manifest's (same hash), so they are worth keeping even when its size is wrong
  await recordBlob(p.db, blob);
  if (blob.size !== a.bytes) {
    throw badInput(
      `bad input: asset "${a.name}": the manifest says ${a.bytes} bytes, blob ${a.sha256} has ${blob.size}`,
    );
  }
  return { sha256: blob.sha256, size: blob.size };
}

/**
 * Stores an asset uploaded by `trueboard benchmark import`, for those who may register benchmarks
 * (checked before a byte is read). A blob the store already holds is not written again.
 */
export async function uploadAsset(p: Platform, actor: Actor, input: unknown, body: Readable) {
  await requireBenchmarkRegistrar(p, actor);
  const a = parse(AssetUpload, input, 'asset');
  const size = (await storedSizes(p.db, [a.sha256])).get(a.sha256);
  if (size !== undefined && size === a.bytes) {
    body.destroy();
    return { sha256: a.sha256, size, stored: false };
  }
  return { ...(await putAsset(p, a, body)), stored: true };
}

/**
 * Stores the assets a benchmark directory holds (`file`), for an import on the server side
 * (`importBenchmarkDir`); blobs already stored are skipped.
 */
export async function storeAssetFiles(p: Platform, dir: string, m: BenchmarkManifest): Promise<void> {
  const withFile = Object.entries(m.assets ?? {}).flatMap(([name, a]) => (a.file ? [{ name, a, file: a.file }] : []));
  const have = await storedSizes(
    p.db,
    withFile.map((x) => x.a.sha256),
  );
  for (const { name, a, file } of withFile) {
    if (have.get(a.sha256) === a.bytes) continue;
    const abs = join(dir, file);
    const s = await stat(abs).catch(() => null);
    if (!s?.isFile()) throw badInput(`bad input: asset "${name}": "${file}" is not a file of ${dir}`);
    await putAsset(p, { name, sha256: a.sha256, bytes: a.bytes }, createReadStream(abs));
  }
}

/**
 * Checks a manifest's assets against what is stored before a benchmark is registered: a dataset
 * file named as an asset has the asset's hash and size, and every other asset was uploaded with
 * its declared size. Each error names the asset and both hashes or sizes.
 */
export async function checkAssets(
  db: DbOrTx,
  assets: Record<string, ManifestAsset> | undefined,
  files: readonly DatasetFile[],
): Promise<void> {
  const entries = Object.entries(assets ?? {});
  const sizes = await storedSizes(
    db,
    entries.filter(([, a]) => a.path === undefined).map(([, a]) => a.sha256),
  );
  for (const [name, a] of entries) {
    if (a.path !== undefined) {
      const f = files.find((x) => x.path === a.path);
      if (!f) throw badInput(`bad input: assets.${name}: "${a.path}" is not one of the dataset files`);
      if (f.sha256 !== a.sha256)
        throw badInput(`bad input: assets.${name}: "${a.path}" has sha256 ${f.sha256}, the manifest says ${a.sha256}`);
      if (f.size !== a.bytes)
        throw badInput(`bad input: assets.${name}: "${a.path}" has ${f.size} bytes, the manifest says ${a.bytes}`);
      continue;
    }
    const size = sizes.get(a.sha256);
    if (size === undefined)
      throw badInput(
        `bad input: assets.${name}: blob ${a.sha256} was not uploaded (give its "file" in the manifest, and import with \`trueboard benchmark import\`)`,
      );
    if (size !== a.bytes)
      throw badInput(`bad input: assets.${name}: the manifest says ${a.bytes} bytes, blob ${a.sha256} has ${size}`);
  }
}
