import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DatasetFile } from '@trueboard/contracts';
import { artifacts, type DbOrTx } from '@trueboard/db';
import { badInput } from './errors';
import type { BlobStorage } from './storage';

const MAX_DATASET_FILE_BYTES = 4 * 1024 ** 3;

/** Content hash of a dataset version: sha256 over its sorted `path\tsha256\n` lines. */
export function datasetContentHash(files: readonly DatasetFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\t${f.sha256}\n`);
  }
  return h.digest('hex');
}

export function mediaTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.jsonl')) return 'application/x-ndjson';
  if (path.endsWith('.sqlite')) return 'application/vnd.sqlite3';
  if (/\.(sql|tsv|txt|md|csv)$/.test(path)) return 'text/plain';
  if (path.endsWith('.onnx')) return 'application/onnx';
  if (path.endsWith('.safetensors')) return 'application/vnd.safetensors';
  return 'application/octet-stream';
}

/** Expands the manifest's file list (directories are walked, hidden files skipped) into relative paths. */
export async function expandFiles(root: string, entries: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  async function walk(abs: string): Promise<void> {
    const s = await stat(abs).catch(() => null);
    if (!s)
      throw badInput(`bad input: ${relative(root, abs) || abs}: listed in manifest.json "files" but does not exist`);
    if (s.isDirectory()) {
      for (const e of (await readdir(abs)).sort()) if (!e.startsWith('.')) await walk(join(abs, e));
    } else if (s.isFile()) {
      out.add(relative(root, abs).split(sep).join('/'));
    }
  }
  for (const e of entries) await walk(join(root, e));
  return [...out].sort();
}

/** Stores each file content-addressed and returns the dataset file list. */
export async function storeDatasetFiles(
  db: DbOrTx,
  storage: BlobStorage,
  root: string,
  paths: readonly string[],
  onFile?: (done: number, total: number, path: string) => void,
): Promise<DatasetFile[]> {
  const files: DatasetFile[] = [];
  for (const [i, path] of paths.entries()) {
    const blob = await storage.put(createReadStream(join(root, path)), {
      maxBytes: MAX_DATASET_FILE_BYTES,
      label: path,
    });
    await db
      .insert(artifacts)
      .values({ sha256: blob.sha256, size: blob.size, mediaType: mediaTypeOf(path), storageKey: blob.storageKey })
      .onConflictDoNothing();
    files.push({ path, sha256: blob.sha256, size: blob.size });
    onFile?.(i + 1, paths.length, path);
  }
  return files;
}
