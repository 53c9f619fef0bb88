import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { ArchiveError, type EntryGuard, type EntryType, quote } from './archive-guard';

/**
 * Unpacks a .tar or .tar.gz (node-tar's parser sniffs the gzip) through the guard. node-tar reads
 * the format (pax and GNU long names, checksums); the writing is ours, so every entry is refused or
 * written by the same rules as a zip's.
 */
export async function unpackTar(file: string, guard: EntryGuard, signal?: AbortSignal): Promise<void> {
  const writes: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const input = createReadStream(file);
  // stops the write in flight when anything else fails: its entry would never end
  const writing = new AbortController();
  let onAbort = () => {};
  const done = new Promise<void>((resolve, reject) => {
    const stop = (error: unknown) => {
      if (failure) return;
      failure = { error };
      writing.abort(error);
      input.unpipe();
      input.destroy();
      reject(error);
    };
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      if (failure) {
        entry.resume();
        return;
      }
      try {
        const target = guard.admit(entry.path, entryType(entry), entry.size, entry.linkpath);
        if (target === undefined || entry.type === 'Directory' || entry.type === 'GNUDumpDir') {
          if (target !== undefined) writes.push(mkdir(target, { recursive: true }).then(() => {}, stop));
          entry.resume();
          return;
        }
        writes.push(writeEntry(entry, target, guard, writing.signal).catch(stop));
      } catch (error) {
        entry.resume();
        stop(error);
      }
    });
    parser.on('ignoredEntry', (entry: ReadEntry) => {
      stop(
        new ArchiveError(
          entry.meta
            ? `has an entry ${quote(entry.path)} whose extended header is too large to read`
            : `has an entry ${quote(entry.path)} of type ${entry.type}; only files and directories are unpacked`,
        ),
      );
    });
    parser.on('error', (e: Error) => stop(new ArchiveError(`is not a readable tar archive: ${tarMessage(e)}`)));
    parser.on('end', () => resolve());
    input.on('error', stop);
    onAbort = () => stop(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    input.pipe(parser);
  });
  try {
    await done;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // the caller removes the directory: no write may still be going on when it does
    await Promise.allSettled(writes);
  }
  if (failure) throw failure.error;
}

async function writeEntry(entry: ReadEntry, target: string, guard: EntryGuard, signal: AbortSignal): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  // `wx`: never through something already there; read-only, like every cached file
  const metered = guard.meter(entry.path, entry.size)(entry);
  await pipeline(metered, createWriteStream(target, { flags: 'wx', mode: 0o444 }), { signal });
}

function entryType(entry: ReadEntry): EntryType {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
    case 'GNUDumpDir':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    case 'CharacterDevice':
    case 'BlockDevice':
      return 'device';
    default:
      return 'other';
  }
}

/** node-tar's messages start with a code ("TAR_BAD_ARCHIVE: …"): the text is what a submitter can use. */
function tarMessage(e: Error): string {
  return e.message.replace(/^TAR_[A-Z_]+: /, '');
}
