import { type ArtifactFile, type Evaluator, type Job, SubmissionError } from '@trueboard/contracts';
import { ArchiveError, DEFAULT_UNPACK_LIMITS } from './archive';
import type { ContentCache } from './cache';
import type { CacheLease } from './cache-pins';

/**
 * Puts a job's artifact on disk the way its evaluator takes it: the uploaded file, or (an evaluator
 * with `artifact.kind: directory`) the directory unpacked from the uploaded archive. Whatever is
 * wrong with the archive is the submitter's to fix: a SubmissionError naming the entry.
 */
export async function fetchArtifact(
  cache: ContentCache,
  artifact: Job['artifact'],
  evaluator: Pick<Evaluator, 'artifact'>,
  options: { signal?: AbortSignal; lease?: CacheLease } = {},
): Promise<ArtifactFile> {
  const { sha256, mediaType } = artifact;
  const spec = evaluator.artifact;
  if (spec?.kind !== 'directory') {
    return { sha256, mediaType, kind: 'file', path: await cache.fetchBlob(sha256, options.signal, options.lease) };
  }
  const limits = {
    maxBytes: spec.maxUnpackedBytes ?? DEFAULT_UNPACK_LIMITS.maxBytes,
    maxEntries: spec.maxEntries ?? DEFAULT_UNPACK_LIMITS.maxEntries,
  };
  try {
    return { sha256, mediaType, kind: 'directory', path: await cache.fetchTree(sha256, { ...options, limits }) };
  } catch (e) {
    if (e instanceof ArchiveError) throw new SubmissionError(`the artifact ${e.message}`);
    throw e;
  }
}
