import type { ArtifactSpec } from '@trueboard/contracts';
import { fmtBytes } from '../../lib/format';
import { type DirectoryFile, zipSize } from './pack-directory';

/** "run.trec is 2.0 MiB; this benchmark accepts at most 1.0 MiB", in bytes when the rounded sizes look alike */
export function tooLarge(what: string, size: number, maxBytes: number): string {
  const [a, b] =
    fmtBytes(size) === fmtBytes(maxBytes)
      ? [`${size} bytes`, `${maxBytes} bytes`]
      : [fmtBytes(size), fmtBytes(maxBytes)];
  return `${what} is ${a}; this benchmark accepts at most ${b}`;
}

/**
 * A .tar, .tar.gz or .zip by its first bytes, as the runner tells them apart (kit's detectArchive):
 * for a family that takes a file or a directory, such an upload is a packed directory.
 */
async function isArchive(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return true;
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length === 512 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar';
}

/**
 * Checks an artifact in the browser before it is uploaded, so mistakes are caught without a round
 * trip; the server checks everything again. Emptiness and the benchmark's limit are checked here,
 * the rest by the family's own `check` (from its view); an archive sent to a family that also takes
 * directories is left to the runner. Returns a message naming the problem, or null.
 */
export async function checkArtifact(
  file: File,
  maxBytes: number | undefined,
  check: ArtifactSpec['check'],
  kind: ArtifactSpec['kind'] = 'file',
): Promise<string | null> {
  if (file.size === 0) return `${file.name} is empty`;
  if (maxBytes !== undefined && file.size > maxBytes) return tooLarge(file.name, file.size, maxBytes);
  if (!check) return null;
  if (kind !== 'file' && (await isArchive(file))) return null;
  return check({ name: file.name, text: await file.text() });
}

/**
 * Checks a chosen directory before it is packed: not empty, its .zip within the benchmark's limit
 * (computed from the file sizes, before a byte is read), then the family's check of its file list.
 */
export function checkDirectory(
  name: string,
  files: readonly Pick<DirectoryFile, 'path' | 'size'>[],
  maxBytes: number | undefined,
  check: ((files: readonly Pick<DirectoryFile, 'path' | 'size'>[]) => string | null) | undefined,
): string | null {
  const label = name ? `the directory ${name}` : 'the directory';
  if (files.length === 0) return `${label} holds no files`;
  const size = zipSize(files);
  if (maxBytes !== undefined && size > maxBytes) return tooLarge(`${label}, packed,`, size, maxBytes);
  return check ? check(files) : null;
}
