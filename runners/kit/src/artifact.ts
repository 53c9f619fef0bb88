import { type ArtifactFile, type Evaluator, type Job, SubmissionError } from '@trueboard/contracts';
import { ArchiveError, DEFAULT_UNPACK_LIMITS, detectArchive } from './archive';
import type { ContentCache } from './cache';
import type { CacheLease } from './cache-pins';

/**
 * Puts a job's artifact on disk the way its evaluator takes it: the uploaded file, or (an evaluator
 * with `artifact.kind: directory`) the directory unpacked from the uploaded archive. For
 * `file-or-directory` the stored bytes decide: a .tar, .tar.gz or .zip (by its first bytes, as
 * detectArchive reads them; never by a name or media type) is unpacked as for `directory`, anything
 * else is the file. Whatever is wrong with an archive is the submitter's to fix: a SubmissionError
 * naming the entry.
 */
export async function fetchArtifact(
  cache: ContentCache,
  artifact: Job['artifact'],
  evaluator: Pick<Evaluator, 'artifact'>,
  options: { signal?: AbortSignal; lease?: CacheLease } = {},
): Promise<ArtifactFile> {
  const { sha256, mediaType } = artifact;
  const spec = evaluator.artifact;
  const kind = spec?.kind ?? 'file';
  if (kind !== 'directory') {
    const path = await cache.fetchBlob(sha256, options.signal, options.lease);
    if (kind === 'file') return { sha256, mediaType, kind: 'file', path };
    if (!(await detectArchive(path))) return { sha256, mediaType, kind: 'file', path };
  }
  const limits = {
    maxBytes: spec?.maxUnpackedBytes ?? DEFAULT_UNPACK_LIMITS.maxBytes,
    maxEntries: spec?.maxEntries ?? DEFAULT_UNPACK_LIMITS.maxEntries,
  };
  try {
    return { sha256, mediaType, kind: 'directory', path: await cache.fetchTree(sha256, { ...options, limits }) };
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    // a single compressed file (run.txt.gz) starts like a .tar.gz: say how either kind is sent
    const hint =
      kind === 'file-or-directory'
        ? ' (it was taken for a directory: a .tar, .tar.gz or .zip is unpacked, any other upload is one file, so send a single file uncompressed)'
        : '';
    throw new SubmissionError(`the artifact ${e.message}${hint}`);
  }
}
