import { stat } from 'node:fs/promises';
import type { BenchmarkAsset, DatasetBundleRef, LocalAsset } from '@trueboard/contracts';
import { formatBytes } from '@trueboard/contracts';
import { ArchiveError } from './archive';
import type { ContentCache } from './cache';
import type { CacheLease } from './cache-pins';

/**
 * Fetches a dataset version's assets (manifest `assets`) by hash, verified like every blob, and unpacks
 * the `directory` ones. A wrong hash or size is the benchmark's fault, not the submitter's: the errors
 * are plain ones (infra), naming the asset.
 */
export async function fetchAssets(
  cache: ContentCache,
  ref: DatasetBundleRef,
  options: { signal?: AbortSignal; lease?: CacheLease } = {},
): Promise<Record<string, LocalAsset>> {
  const out: Record<string, LocalAsset> = {};
  for (const [name, asset] of Object.entries(ref.assets ?? {})) {
    out[name] = await fetchAsset(cache, `asset "${name}" of ${ref.benchmark}@${ref.version}`, asset, ref, options);
  }
  return out;
}

async function fetchAsset(
  cache: ContentCache,
  label: string,
  asset: BenchmarkAsset,
  ref: DatasetBundleRef,
  options: { signal?: AbortSignal; lease?: CacheLease },
): Promise<LocalAsset> {
  const { sha256, kind } = asset;
  if (asset.path !== undefined) {
    const file = ref.files.find((f) => f.path === asset.path);
    if (!file) throw new Error(`${label}: "${asset.path}" is not a file of the dataset`);
    if (file.sha256 !== sha256) {
      throw new Error(`${label}: the dataset's "${asset.path}" has sha256 ${file.sha256}, the manifest says ${sha256}`);
    }
  }
  try {
    const where =
      kind === 'file'
        ? await cache.fetchBlob(sha256, options.signal, options.lease)
        : await cache.fetchTree(sha256, options);
    // the hash matched, so only the manifest can be wrong; a tree whose archive was evicted was checked when built
    const size = (await stat(cache.blobPath(sha256)).catch(() => undefined))?.size;
    if (size !== undefined && size !== asset.bytes) {
      throw new Error(
        `${label}: the manifest says ${asset.bytes} bytes, blob ${sha256} has ${size} (${formatBytes(size)})`,
      );
    }
    return { sha256, kind, path: where };
  } catch (e) {
    if (e instanceof ArchiveError) throw new Error(`${label}: the archive ${e.message}`);
    if (e instanceof Error && !e.message.startsWith(label)) throw new Error(`${label}: ${e.message}`);
    throw e;
  }
}
