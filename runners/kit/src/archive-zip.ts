import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ArchiveError, type EntryGuard, type EntryType, quote } from './archive-guard';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

/**
 * Unpacks a .zip through the guard. yauzl reads the central directory and checks that each entry
 * inflates to the size it declares; names are decoded here without yauzl's own check so that a bad
 * name is refused in the same words as a tar's.
 */
export async function unpackZip(file: string, guard: EntryGuard, signal?: AbortSignal): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    throw new ArchiveError(`is not a readable zip archive: ${errorMessage(e)}`);
  }
  try {
    if (zip.entryCount > guard.limits.maxEntries) {
      throw new ArchiveError(`has ${zip.entryCount} entries, more than the limit of ${guard.limits.maxEntries}`);
    }
    const entries = zip.eachEntry();
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw new ArchiveError(`is not a readable zip archive: ${errorMessage(e)}`);
      }
      if (next.done) break;
      await unpackEntry(zip, next.value, guard, signal);
    }
  } finally {
    zip.close();
  }
}

async function unpackEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, guard: EntryGuard, signal?: AbortSignal) {
  // decodeStrings is off, so this is the name as yauzl would decode it, minus its validation (and
  // backslashes kept: the guard treats them as separators, and the message shows the name as it is)
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const type = entryType(entry, name);
  if (entry.isEncrypted()) throw new ArchiveError(`has an encrypted entry ${quote(name)}`);
  const target = guard.admit(name, type, entry.uncompressedSize);
  if (target === undefined) return;
  if (type === 'directory') {
    await mkdir(target, { recursive: true });
    return;
  }
  if (!entry.canDecodeFileData()) {
    throw new ArchiveError(
      `has an entry ${quote(name)} compressed with method ${entry.compressionMethod}; only stored and deflate are supported`,
    );
  }
  await mkdir(path.dirname(target), { recursive: true });
  try {
    const data = await zip.openReadStreamPromise(entry);
    await pipeline(
      guard.meter(name, entry.uncompressedSize)(data),
      createWriteStream(target, { flags: 'wx', mode: 0o444 }),
      { signal },
    );
  } catch (e) {
    if (e instanceof ArchiveError || signal?.aborted) throw e;
    // yauzl's own findings (a size that lies, a bad checksum) are the archive's fault too
    throw new ArchiveError(`has an entry ${quote(name)} that cannot be read: ${errorMessage(e)}`);
  }
}

/** Unix file type from the upper half of the external attributes; DOS-made zips mark directories by a "/". */
function entryType(entry: yauzl.Entry, name: string): EntryType {
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) return 'symlink';
  if (mode === S_IFCHR || mode === S_IFBLK) return 'device';
  if (mode === S_IFDIR || name.endsWith('/')) return 'directory';
  if (mode === S_IFREG || mode === 0) return 'file';
  return 'other';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
