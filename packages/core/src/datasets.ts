import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { DatasetFile } from '@trueboard/contracts';
import { artifacts, type DbOrTx } from '@trueboard/db';
import type { BlobStorage } from './storage';

export { datasetContentHash, expandFiles } from './dataset-dir';

const MAX_DATASET_FILE_BYTES = 4 * 1024 ** 3;

export function mediaTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.jsonl')) return 'application/x-ndjson';
  if (path.endsWith('.sqlite')) return 'application/vnd.sqlite3';
  if (/\.(sql|tsv|txt|md|csv)$/.test(path)) return 'text/plain';
  if (path.endsWith('.onnx')) return 'application/onnx';
  if (path.endsWith('.safetensors')) return 'application/vnd.safetensors';
  return 'application/octet-stream';
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
