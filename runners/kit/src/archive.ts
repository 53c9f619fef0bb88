import { mkdir, open } from 'node:fs/promises';
import { ArchiveError, DEFAULT_UNPACK_LIMITS, EntryGuard, type UnpackLimits } from './archive-guard';

export { ArchiveError, DEFAULT_UNPACK_LIMITS, type UnpackLimits } from './archive-guard';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

/** Tells the formats apart by their first bytes (never by a name or a media type someone chose). */
export async function detectArchive(file: string): Promise<ArchiveFormat | undefined> {
  const head = Buffer.alloc(512);
  const fh = await open(file, 'r');
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
  } finally {
    await fh.close();
  }
  // local file header, or the end record of an empty zip
  if (n >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return 'zip';
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  // POSIX and GNU tar headers carry "ustar" at offset 257
  if (n === 512 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

/**
 * Unpacks `file` (a .tar, .tar.gz or .zip) into the new directory `dest`: regular files (written
 * read-only) and directories only. An entry that is absolute, climbs out with `..`, is a link or a
 * device, or goes past the limits stops it with an ArchiveError naming the entry. The caller owns
 * `dest` and removes it on failure; nothing is ever written outside it.
 */
export async function unpackArchive(
  file: string,
  dest: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
  signal?: AbortSignal,
): Promise<{ format: ArchiveFormat; entries: number; bytes: number }> {
  const format = await detectArchive(file);
  if (!format) throw new ArchiveError('is not a .tar, .tar.gz or .zip archive');
  await mkdir(dest);
  const guard = new EntryGuard(dest, limits);
  // the archive libraries load only here: most commands never unpack anything (see `trueboard eval`'s start-up)
  if (format === 'zip') await (await import('./archive-zip')).unpackZip(file, guard, signal);
  else await (await import('./archive-tar')).unpackTar(file, guard, signal);
  return { format, entries: guard.entries, bytes: guard.bytes };
}
