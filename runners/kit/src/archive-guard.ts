import path from 'node:path';
import { formatBytes } from '@trueboard/contracts';

/** How far one archive may unpack: a decompression bomb stops at the first entry past either limit. */
export interface UnpackLimits {
  /** total bytes of the unpacked files */
  maxBytes: number;
  /** files and directories */
  maxEntries: number;
}

/** Room for an ONNX model directory with its external weights; evaluators may ask for less. */
export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxBytes: 32 * 1024 ** 3, maxEntries: 10_000 };

/** Something wrong with an archive's content: the fault of whoever made it, never of the runner. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** What an archive entry is, as far as unpacking cares. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'other';

/**
 * Admits an archive's entries one by one: checks each name and type, keeps count against the limits,
 * and says where under the root the entry goes. Shared by the tar and zip readers so both refuse
 * the same things with the same words.
 */
export class EntryGuard {
  entries = 0;
  bytes = 0;
  /** relative path → what was unpacked there */
  private readonly seen = new Map<string, 'file' | 'directory'>();

  constructor(
    readonly root: string,
    readonly limits: UnpackLimits,
  ) {}

  /**
   * Where the entry goes (an absolute path under the root), or undefined for the root itself.
   * `declaredBytes` is the size the archive claims, checked before a byte is written.
   */
  admit(name: string, type: EntryType, declaredBytes: number, linkTarget?: string): string | undefined {
    const q = quote(name);
    const refuse = (what: string) => new ArchiveError(`has an entry ${q} ${what}`);
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveError(`has more than ${this.limits.maxEntries} entries (the limit); ${q} is one too many`);
    }
    if (type === 'symlink' || type === 'hardlink') {
      const to = linkTarget === undefined ? '' : ` (to ${quote(linkTarget)})`;
      const kind = type === 'symlink' ? 'symbolic' : 'hard';
      throw refuse(`that is a ${kind} link${to}; only files and directories are unpacked`);
    }
    if (type === 'device') throw refuse('that is a device file; only files and directories are unpacked');
    if (type === 'other') throw refuse('that is neither a file nor a directory; only those are unpacked');
    const rel = relativeEntryPath(name, refuse);
    if (rel === undefined) {
      if (type === 'file') throw refuse('that is a file without a name');
      return undefined;
    }
    const parts = rel.split(path.sep);
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join(path.sep);
      if (this.seen.get(parent) === 'file') throw refuse(`inside ${quote(parent)}, which is a file`);
    }
    const before = this.seen.get(rel);
    if (before === 'file' || (before === 'directory' && type === 'file')) {
      throw new ArchiveError(`has the entry ${q} twice`);
    }
    this.seen.set(rel, type === 'file' ? 'file' : 'directory');
    if (type === 'file') this.count(name, declaredBytes);
    return path.join(this.root, rel);
  }

  /**
   * Counts the bytes of a file entry as they are written, beyond the `declared` size admit() counted
   * already: an archive may understate an entry's size.
   */
  meter(name: string, declared: number) {
    const count = (n: number) => this.count(name, n);
    return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      let written = 0;
      for await (const chunk of source) {
        const before = written;
        written += chunk.length;
        count(Math.max(0, written - Math.max(before, declared)));
        yield chunk;
      }
    };
  }

  private count(name: string, n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxBytes) {
      throw new ArchiveError(
        `unpacks to more than ${formatBytes(this.limits.maxBytes)} (the limit) at entry ${quote(name)}`,
      );
    }
  }
}

/** The entry's path relative to the root in platform form; undefined for the root (`./`). */
function relativeEntryPath(name: string, refuse: (what: string) => ArchiveError): string | undefined {
  if (name.includes('\0')) throw refuse('with a NUL byte in its name');
  if (path.posix.isAbsolute(name) || path.win32.isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
    throw refuse('with an absolute path');
  }
  // a backslash separates on Windows: "..\\x" must not slip through as one odd name
  const segments = name.split(/[\\/]/);
  if (segments.includes('..')) throw refuse('that points outside the directory (its path contains "..")');
  const clean = segments.filter((s) => s !== '' && s !== '.');
  return clean.length === 0 ? undefined : clean.join(path.sep);
}

/** An entry name in a message: quoted, control characters escaped, long names cut. */
export function quote(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return JSON.stringify(shown);
}
