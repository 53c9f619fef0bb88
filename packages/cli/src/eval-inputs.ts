import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  type ArtifactFile,
  type DatasetBundleRef,
  type Evaluator,
  formatBytes,
  type LocalAsset,
  type ManifestAsset,
  SubmissionError,
} from '@trueboard/contracts';
import { type CacheLease, ContentCache, detectArchive, fetchArtifact, fetchAssets, LocalBlobs } from '@trueboard/kit';
import { sha256File } from './hash';

/**
 * What `trueboard eval` hands an evaluator, prepared the way a runner prepares a job's inputs: a
 * directory artifact and the benchmark's assets go through the kit's cache (fetchArtifact and
 * fetchAssets, fed from local files by LocalBlobs instead of the platform), so they are verified by
 * hash and unpacked within the evaluator's limits by the same code. A directory given as the
 * artifact is packed first exactly as `trueboard submit` packs it, so its hash is the upload's.
 * A single-file artifact is the file itself, as before. The cache is the runner cache
 * (`--cache-dir`), and is touched only when a directory artifact or an asset needs it.
 */
export class EvalInputs {
  private readonly blobs = new LocalBlobs();
  private opened: { cache: ContentCache; lease: CacheLease } | undefined;
  private readonly scratch: string[] = [];

  constructor(private readonly cacheDir?: string) {}

  /**
   * The artifact at `file` as `evaluator` takes it; a wrong kind of input is the submitter's error.
   * For a family taking `file-or-directory`, a directory (packed as `trueboard submit` packs it) or
   * a file whose first bytes are a .tar, .tar.gz or .zip is a directory, any other file is the file:
   * the same sniffing the runner's fetchArtifact does on the uploaded bytes.
   */
  async artifact(file: string, evaluator: Evaluator): Promise<ArtifactFile> {
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new SubmissionError(`${file}: no such file or directory`);
    const mediaType = 'application/octet-stream';
    const kind = evaluator.artifact?.kind ?? 'file';
    const single =
      kind === 'file' || (kind === 'file-or-directory' && !info.isDirectory() && !(await detectArchive(file)));
    if (single) {
      if (info.isDirectory()) {
        throw new SubmissionError(
          `${file} is a directory; ${evaluator.name} (${evaluator.family}) takes a single file`,
        );
      }
      return { sha256: await sha256File(file), path: resolve(file), mediaType, kind: 'file' };
    }
    let archive = resolve(file);
    let size = info.size;
    let sha256: string;
    if (info.isDirectory()) {
      const dir = await mkdtemp(join(tmpdir(), 'trueboard-eval-pack-'));
      this.scratch.push(dir);
      archive = join(dir, `${basename(archive)}.tar`);
      // tar loads only when a directory is packed (start-up of `eval` on a file stays lean)
      const { packDirectory } = await import('@trueboard/core/pack-directory');
      ({ sha256, size } = await packDirectory(file, archive));
    } else {
      if (!(await detectArchive(archive))) {
        throw new SubmissionError(
          `${file} is a file, but ${evaluator.name} (${evaluator.family}) takes a directory: give the directory, or a .tar, .tar.gz or .zip of it`,
        );
      }
      sha256 = await sha256File(archive);
    }
    this.blobs.add(sha256, archive);
    const { cache, lease } = this.cache();
    return fetchArtifact(cache, { sha256, size, mediaType }, evaluator, { lease });
  }

  /**
   * The benchmark's assets from local files, where its manifest says they are: an asset with a
   * `path` is that file of the dataset, one with a `file` is that file of the benchmark directory
   * (the one `trueboard benchmark import` uploads); `given` (`--asset name=file`) names a file for
   * any of them, and is the only way to one with neither. Each is checked against its declared
   * sha256 and size by the kit (fetchAssets) as it goes into the cache.
   */
  async assets(
    root: string,
    declared: Record<string, ManifestAsset>,
    ref: DatasetBundleRef,
    given: Record<string, string>,
  ): Promise<Record<string, LocalAsset>> {
    const names = Object.keys(declared);
    for (const name of Object.keys(given)) {
      if (!Object.hasOwn(declared, name)) {
        const which = names.length > 0 ? `it declares ${names.map((n) => `"${n}"`).join(', ')}` : 'it declares none';
        throw new Error(`--asset ${name}: the benchmark has no asset "${name}" (${which})`);
      }
    }
    if (names.length === 0) return {};
    for (const [name, asset] of Object.entries(declared)) {
      const what = `asset "${name}" of ${ref.benchmark} (sha256 ${asset.sha256}, ${formatBytes(asset.bytes)})`;
      const local = given[name] ?? asset.path ?? asset.file;
      if (local === undefined) {
        throw new Error(`${what}: the manifest names no "path" or "file" for it; give --asset ${name}=<file>`);
      }
      const file = given[name] !== undefined ? resolve(local) : join(root, local);
      const info = await stat(file).catch(() => undefined);
      if (!info) throw new Error(`${what}: ${file} does not exist`);
      if (!info.isFile()) throw new Error(`${what}: ${file} is not a file (a directory asset is given as its archive)`);
      this.blobs.add(asset.sha256, file);
    }
    const { cache, lease } = this.cache();
    return fetchAssets(cache, ref, { lease });
  }

  /** Lets the cache evict what this evaluation used, and removes the packed directories. */
  async close(): Promise<void> {
    await this.opened?.lease.release();
    await Promise.all(this.scratch.map((d) => rm(d, { recursive: true, force: true })));
  }

  /** The cache, opened on first use: an evaluation of single files never touches it. */
  private cache(): { cache: ContentCache; lease: CacheLease } {
    if (!this.opened) {
      const cache = new ContentCache(this.blobs, this.cacheDir);
      this.opened = { cache, lease: cache.lease() };
    }
    return this.opened;
  }
}
