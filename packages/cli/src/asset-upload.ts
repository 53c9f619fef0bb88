import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type BenchmarkManifest, type DatasetFile, formatBytes } from '@trueboard/contracts';
import { sha256File } from './hash';
import { apiHeaders, rest, type ServerOptions, send } from './http';

/** What happened to one declared asset. */
export interface AssetOutcome {
  name: string;
  sha256: string;
  /** uploaded now; already on the platform; a dataset file (uploaded with the files) */
  how: 'uploaded' | 'present' | 'dataset file';
}

/** The size of the blob the platform holds under `sha256` (null when it has none), and its asset limit. */
async function remoteAsset(auth: ServerOptions, sha256: string): Promise<{ size: number | null; maxBytes: number }> {
  const url = `${auth.server.replace(/\/$/, '')}/api/assets/${sha256}`;
  const res = await send(url, { method: 'HEAD', headers: apiHeaders(auth) }, true);
  if (res.status !== 200 && res.status !== 404) {
    throw new Error(`checking blob ${sha256} on the platform: ${res.status} ${res.statusText}`);
  }
  return {
    size: res.status === 200 ? Number(res.headers.get('x-trueboard-size')) : null,
    maxBytes: Number(res.headers.get('x-trueboard-max-asset-bytes') ?? Number.POSITIVE_INFINITY),
  };
}

/**
 * Uploads the manifest's assets from the benchmark directory before the benchmark is registered:
 * each `file` is hashed here and must match the manifest (the platform checks again while it
 * streams the upload in, never holding it whole); a blob the platform already has is not sent
 * again; an asset without `file` must be on the platform already. Dataset files named as assets
 * (`path`) must have the declared hash.
 */
export async function uploadAssets(
  auth: ServerOptions,
  dir: string,
  manifest: BenchmarkManifest,
  files: readonly DatasetFile[],
): Promise<AssetOutcome[]> {
  const out: AssetOutcome[] = [];
  for (const [name, a] of Object.entries(manifest.assets ?? {})) {
    if (a.path !== undefined) {
      const f = files.find((x) => x.path === a.path);
      if (!f) throw new Error(`asset "${name}": "${a.path}" is not one of the dataset files`);
      if (f.sha256 !== a.sha256)
        throw new Error(`asset "${name}": "${a.path}" has sha256 ${f.sha256}, the manifest says ${a.sha256}`);
      out.push({ name, sha256: a.sha256, how: 'dataset file' });
      continue;
    }
    const remote = await remoteAsset(auth, a.sha256);
    if (remote.size === a.bytes) {
      out.push({ name, sha256: a.sha256, how: 'present' });
      continue;
    }
    if (a.file === undefined) {
      throw new Error(
        `asset "${name}": blob ${a.sha256} is not on the platform, and the manifest gives no "file" to upload it from`,
      );
    }
    // refused before a byte is sent (the platform would close the connection mid-upload)
    if (a.bytes > remote.maxBytes) {
      throw new Error(
        `asset "${name}" has ${formatBytes(a.bytes)}, more than the platform's limit of ${formatBytes(remote.maxBytes)} per asset (TRUEBOARD_MAX_ASSET_BYTES on the server)`,
      );
    }
    const abs = join(dir, a.file);
    const s = await stat(abs).catch(() => null);
    if (!s?.isFile()) throw new Error(`asset "${name}": ${abs} is not a file`);
    if (s.size !== a.bytes)
      throw new Error(`asset "${name}": ${abs} has ${s.size} bytes, the manifest says ${a.bytes}`);
    const actual = await sha256File(abs);
    if (actual !== a.sha256)
      throw new Error(`asset "${name}": ${abs} has sha256 ${actual}, the manifest says ${a.sha256}`);
    const query = new URLSearchParams({ name, bytes: String(a.bytes) });
    // streamed from disk: a base model is never held in memory
    await rest(auth, `/api/assets/${a.sha256}?${query}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(s.size) },
      body: Readable.toWeb(createReadStream(abs)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    out.push({ name, sha256: a.sha256, how: 'uploaded' });
  }
  return out;
}
