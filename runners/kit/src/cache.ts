import { createHash, randomUUID } from 'node:crypto';
import { chmod, copyFile, link, mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DatasetBundle, DatasetBundleRef } from '@trueboard/contracts';
import { type UnpackLimits, unpackArchive } from './archive';
import { fetchAssets } from './assets';
import { chooseVictims, type EntryKey, scanEntries } from './cache-eviction';
import { type CacheLease, Pins } from './cache-pins';
import { mapLimit, once } from './concurrency';

/** Where blobs come from; PlatformClient implements it. */
export interface BlobSource {
  blob(sha256: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const FETCH_CONCURRENCY = 4;
const DEFAULT_MAX_BYTES = 50 * 1024 ** 3;

/** `TRUEBOARD_CACHE_DIR`, else `~/.cache/trueboard`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TRUEBOARD_CACHE_DIR;
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(homedir(), '.cache', 'trueboard');
}

/** `TRUEBOARD_CACHE_MAX_BYTES`, else 50 GiB. */
export function defaultCacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.TRUEBOARD_CACHE_MAX_BYTES?.trim();
  if (!fromEnv) return DEFAULT_MAX_BYTES;
  const n = Number(fromEnv);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`TRUEBOARD_CACHE_MAX_BYTES must be a positive whole number of bytes, not "${fromEnv}"`);
  }
  return n;
}

export interface CacheOptions {
  /** the bytes it may hold; past them it evicts least recently used entries (default defaultCacheMaxBytes()) */
  maxBytes?: number;
  /** told when an eviction fails (the fetch that caused it goes on); default: stderr */
  onWarning?(message: string): void;
}

/**
 * Content-addressed local cache: `blobs/<aa>/<sha256>` holds verified blobs, `trees/<sha256>/` the
 * directories unpacked from archive blobs, `bundles/<contentHash>/` materialised dataset versions.
 * Everything is built under `tmp/` and renamed into place, so a path that exists is complete; runners
 * may share one cache directory.
 *
 * It holds at most `maxBytes` (files hardlinked between entries count once): after placing an entry it
 * evicts the least recently used ones, but never one pinned by a lease, which a job holds on everything
 * it uses until it ends.
 */
export class ContentCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly pins: Pins;
  private readonly warn: (message: string) => void;
  private readonly blobsInFlight = new Map<string, Promise<boolean>>();
  private readonly treesInFlight = new Map<string, Promise<boolean>>();
  private readonly bundlesInFlight = new Map<string, Promise<boolean>>();
  private evicting: Promise<unknown> = Promise.resolve();
  /** the last use time given out, so that uses in this process are strictly ordered */
  private lastUseMs = 0;

  constructor(
    private readonly source: BlobSource,
    dir: string = defaultCacheDir(),
    options: CacheOptions = {},
  ) {
    this.dir = path.resolve(dir);
    this.maxBytes = options.maxBytes ?? defaultCacheMaxBytes();
    this.warn = options.onWarning ?? ((m) => console.warn(`trueboard cache: ${m}`));
    this.pins = new Pins(this.dir);
  }

  /** Pins taken for one job: what is fetched through it stays until release(). */
  lease(): CacheLease {
    return this.pins.lease();
  }

  blobPath(sha256: string): string {
    assertSha256(sha256, 'blob');
    return path.join(this.dir, 'blobs', sha256.slice(0, 2), sha256);
  }

  treePath(sha256: string): string {
    assertSha256(sha256, 'archive');
    return path.join(this.dir, 'trees', sha256);
  }

  bundlePath(contentHash: string): string {
    assertSha256(contentHash, 'bundle');
    return path.join(this.dir, 'bundles', contentHash);
  }

  /** Returns the local path of a verified blob, downloading it first if needed. */
  async fetchBlob(sha256: string, signal?: AbortSignal, lease?: CacheLease): Promise<string> {
    const dest = this.blobPath(sha256);
    return this.holding(lease, async (held) => {
      await held.add(`blob/${sha256}`);
      const placed = await this.getBlob(sha256, signal);
      await this.used(dest, placed);
      return dest;
    });
  }

  /**
   * Returns the directory unpacked from an archive blob (.tar, .tar.gz or .zip), unpacking it first
   * if needed (see unpackArchive). A bad archive is an ArchiveError, and nothing unpacked from it
   * stays (the archive itself is a verified blob like any other).
   */
  async fetchTree(
    sha256: string,
    options: { limits?: UnpackLimits; signal?: AbortSignal; lease?: CacheLease } = {},
  ): Promise<string> {
    const root = this.treePath(sha256);
    const { signal } = options;
    return this.holding(options.lease, async (held) => {
      await held.add(`tree/${sha256}`);
      const placed = await once(this.treesInFlight, sha256, async () => {
        if (await isDirectory(root)) return false;
        // the archive is pinned while it is unpacked, not for as long as the job uses the tree
        await this.holding(undefined, async (unpacking) => {
          await unpacking.add(`blob/${sha256}`);
          await this.getBlob(sha256, signal);
          await this.build(`tree-${sha256}`, root, (tmp) =>
            unpackArchive(this.blobPath(sha256), tmp, options.limits, signal),
          );
        });
        return true;
      });
      await this.used(root, placed);
      return root;
    });
  }

  /** Returns the dataset version laid out on disk (and its assets), building it from blobs if needed. */
  async materializeBundle(ref: DatasetBundleRef, signal?: AbortSignal, lease?: CacheLease): Promise<DatasetBundle> {
    const root = this.bundlePath(ref.contentHash);
    return this.holding(lease, async (held) => {
      await held.add(`bundle/${ref.contentHash}`);
      const placed = await once(this.bundlesInFlight, ref.contentHash, async () => {
        if (await isDirectory(root)) return false;
        await this.buildBundle(ref, root, signal);
        return true;
      });
      await this.used(root, placed);
      if (!ref.assets || Object.keys(ref.assets).length === 0) return { ref, root };
      return { ref, root, assets: await fetchAssets(this, ref, { signal, lease: held }) };
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

  /**
   * Brings the cache within maxBytes: least recently used entries go first, pinned ones stay. One
   * eviction at a time; returns the keys removed.
   */
  evict(): Promise<EntryKey[]> {
    const run = this.evicting.then(async () => {
      const entries = await scanEntries(this.dir);
      // within the bound, the other runners' pins need not be read
      if (chooseVictims(entries, this.maxBytes, () => false).victims.length === 0) return [];
      const pinned = await this.pins.all();
      const { victims } = chooseVictims(entries, this.maxBytes, (k) => pinned.has(k));
      for (const v of victims) await this.remove(v.path);
      return victims.map((v) => v.key);
    });
    this.evicting = run.catch(() => {});
    return run;
  }

  /** Runs `work` holding the caller's lease, or a lease of its own released when the call returns. */
  private async holding<T>(lease: CacheLease | undefined, work: (held: CacheLease) => Promise<T>): Promise<T> {
    if (lease) return work(lease);
    const own = this.lease();
    try {
      return await work(own);
    } finally {
      await own.release();
    }
  }

  /** Marks an entry used now; after a new one was placed, evicts what no longer fits. */
  private async used(p: string, placed: boolean): Promise<void> {
    this.lastUseMs = Math.max(Date.now(), this.lastUseMs + 1);
    const when = new Date(this.lastUseMs);
    await utimes(p, when, when).catch(() => {});
    // a cache over its bound until the next eviction is no reason to fail the job at hand
    if (placed) {
      await this.evict().catch((e: unknown) => {
        this.warn(`could not evict from ${this.dir}: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
  }

  /** Downloads a blob unless it is there; true when it was placed now. */
  private getBlob(sha256: string, signal?: AbortSignal): Promise<boolean> {
    const dest = this.blobPath(sha256);
    return once(this.blobsInFlight, sha256, async () => {
      if (await isFile(dest)) return false;
      await this.download(sha256, dest, signal);
      return true;
    });
  }

  /** Builds an entry directory under tmp/ and renames it into place; the temp directory never stays. */
  private async build(label: string, dest: string, fill: (tmp: string) => Promise<unknown>): Promise<void> {
    const tmp = await this.tempPath(label);
    try {
      await fill(tmp);
      await mkdir(path.dirname(dest), { recursive: true });
      try {
        await rename(tmp, dest);
      } catch (e) {
        // another process finished the same entry first: theirs is equally good
        if (!(await isDirectory(dest))) throw e;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Takes an entry out of its place first, so no one finds it half removed. */
  private async remove(p: string): Promise<void> {
    const tmp = await this.tempPath('evicted');
    // gone already when another runner on the same directory evicted it first
    const moved = await rename(p, tmp).then(
      () => true,
      () => false,
    );
    if (moved) await rm(tmp, { recursive: true, force: true });
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
    // the blobs stay pinned until they are linked into the bundle
    await this.holding(undefined, async (held) => {
      await mapLimit(files, FETCH_CONCURRENCY, async (f) => {
        await held.add(`blob/${f.sha256}`);
        await this.getBlob(f.sha256, signal);
      });
      await this.build(`bundle-${ref.contentHash}`, root, async (tmp) => {
        await mkdir(tmp);
        for (const f of files) {
          const blob = this.blobPath(f.sha256);
          const dest = path.join(tmp, f.rel);
          await mkdir(path.dirname(dest), { recursive: true });
          // hardlinks are free; copy when the filesystem refuses (cross-device, no link support)
          await link(blob, dest).catch(() => copyFile(blob, dest));
        }
      });
    });
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

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}
