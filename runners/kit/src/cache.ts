import { createHash, randomUUID } from 'node:crypto';
import { chmod, copyFile, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DatasetBundle, DatasetBundleRef } from '@trueboard/contracts';

/** Where blobs come from; PlatformClient implements it. */
export interface BlobSource {
  blob(sha256: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const FETCH_CONCURRENCY = 4;

/** `TRUEBOARD_CACHE_DIR`, else `~/.cache/trueboard`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TRUEBOARD_CACHE_DIR;
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(homedir(), '.cache', 'trueboard');
}

/**
 * Content-addressed local cache: `blobs/<aa>/<sha256>` holds verified blobs, `bundles/<contentHash>/`
 * holds materialised dataset versions. Everything is built under `tmp/` and renamed into place, so a
 * path that exists is complete; runners may share one cache directory.
 */
export class ContentCache {
  readonly dir: string;
  private readonly blobsInFlight = new Map<string, Promise<string>>();
  private readonly bundlesInFlight = new Map<string, Promise<DatasetBundle>>();

  constructor(
    private readonly source: BlobSource,
    dir: string = defaultCacheDir(),
  ) {
    this.dir = path.resolve(dir);
  }

  blobPath(sha256: string): string {
    assertSha256(sha256, 'blob');
    return path.join(this.dir, 'blobs', sha256.slice(0, 2), sha256);
  }

  bundlePath(contentHash: string): string {
    assertSha256(contentHash, 'bundle');
    return path.join(this.dir, 'bundles', contentHash);
  }

  /** Returns the local path of a verified blob, downloading it first if needed. */
  async fetchBlob(sha256: string, signal?: AbortSignal): Promise<string> {
    const dest = this.blobPath(sha256);
    return once(this.blobsInFlight, sha256, async () => {
      if (await isFile(dest)) return dest;
      await this.download(sha256, dest, signal);
      return dest;
    });
  }

  /** Returns the dataset version laid out on disk, building it from blobs if needed. */
  async materializeBundle(ref: DatasetBundleRef, signal?: AbortSignal): Promise<DatasetBundle> {
    const root = this.bundlePath(ref.contentHash);
    return once(this.bundlesInFlight, ref.contentHash, async () => {
      if (!(await isDirectory(root))) await this.buildBundle(ref, root, signal);
      return { ref, root };
    });
  }

  /** Removes temp files left by crashed processes (older than maxAgeMs, so live downloads survive). */
  async sweepTemp(maxAgeMs = 24 * 3600_000): Promise<void> {
    const tmp = path.join(this.dir, 'tmp');
    const entries = await readdir(tmp).catch(() => []);
    for (const name of entries) {
      const p = path.join(tmp, name);
      const s = await stat(p).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > maxAgeMs) await rm(p, { recursive: true, force: true });
    }
  }

  private async tempPath(label: string): Promise<string> {
    const tmp = path.join(this.dir, 'tmp');
    await mkdir(tmp, { recursive: true });
    return path.join(tmp, `${label}.${process.pid}.${randomUUID()}`);
  }

  private async download(sha256: string, dest: string, signal?: AbortSignal): Promise<void> {
    const tmp = await this.tempPath(sha256);
    const body = await this.source.blob(sha256, signal);
    const reader = body.getReader();
    const hash = createHash('sha256');
    const file = await open(tmp, 'wx', 0o644);
    let placed = false;
    try {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          await file.write(value);
        }
      } catch (e) {
        await reader.cancel().catch(() => {});
        throw e;
      }
      await file.sync();
      await file.close();
      const actual = hash.digest('hex');
      if (actual !== sha256) {
        throw new Error(`blob ${sha256}: downloaded bytes hash to ${actual}; refusing to cache them`);
      }
      // blobs are hardlinked into bundles: read-only keeps an evaluator from corrupting the cache
      await chmod(tmp, 0o444);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tmp, dest);
      placed = true;
    } finally {
      await file.close().catch(() => {});
      if (!placed) await rm(tmp, { force: true });
    }
  }

  private async buildBundle(ref: DatasetBundleRef, root: string, signal?: AbortSignal): Promise<void> {
    const label = `${ref.benchmark}@${ref.version}`;
    const seen = new Set<string>();
    const files = ref.files.map((f) => {
      const rel = safeRelativePath(f.path, label);
      if (seen.has(rel)) throw new Error(`dataset ${label}: file "${f.path}" is listed twice`);
      seen.add(rel);
      return { rel, sha256: f.sha256 };
    });
    const blobs = await mapLimit(files, FETCH_CONCURRENCY, (f) => this.fetchBlob(f.sha256, signal));

    const tmp = await this.tempPath(`bundle-${ref.contentHash}`);
    try {
      await mkdir(tmp);
      for (const [i, f] of files.entries()) {
        const blob = blobs[i];
        if (blob === undefined) throw new Error(`dataset ${label}: blob for "${f.rel}" is missing`);
        const dest = path.join(tmp, f.rel);
        await mkdir(path.dirname(dest), { recursive: true });
        // hardlinks are free; copy when the filesystem refuses (cross-device, no link support)
        await link(blob, dest).catch(() => copyFile(blob, dest));
      }
      await mkdir(path.dirname(root), { recursive: true });
      try {
        await rename(tmp, root);
      } catch (e) {
        // another process finished the same bundle first: theirs is equally good
        if (!(await isDirectory(root))) throw e;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

/** Validates a bundle file path and returns it in platform form; rejects absolute paths and `..`. */
export function safeRelativePath(p: string, label: string): string {
  const bad = (why: string) => new Error(`dataset ${label}: file path "${p}" ${why}`);
  if (p.includes('\0')) throw bad('contains a NUL byte');
  if (path.posix.isAbsolute(p) || path.win32.isAbsolute(p) || /^[a-zA-Z]:/.test(p)) throw bad('is absolute');
  const segments = p.split(/[\\/]/);
  if (segments.includes('..')) throw bad('contains ".."');
  const clean = segments.filter((s) => s !== '' && s !== '.');
  if (clean.length === 0) throw bad('is empty');
  return clean.join(path.sep);
}

function assertSha256(value: string, what: string): void {
  if (!SHA256.test(value)) throw new Error(`${what} hash "${value}" is not a lowercase hex sha256`);
}

/** Shares one in-flight promise per key so concurrent callers do the work once. */
function once<T>(inFlight: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> {
  const existing = inFlight.get(key);
  if (existing) return existing;
  const p = work().finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

/**
 * Maps with bounded concurrency. On the first failure no new items start, and the error is thrown
 * only once running ones have settled, so no download is left writing into tmp behind the caller.
 */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      const item = items[i];
      if (item === undefined) continue;
      try {
        out[i] = await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return out;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}
