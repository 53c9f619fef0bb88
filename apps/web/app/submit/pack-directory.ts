import { type Zippable, zipSync } from 'fflate';

/** One file of the chosen directory, at its path inside it. */
export interface DirectoryFile {
  path: string;
  size: number;
  file: Blob;
}

/**
 * The files of a directory chosen with `<input webkitdirectory>`, at their paths inside it: the
 * browser names each `<chosen dir>/<path>`, and the chosen directory's own name is not part of what
 * is submitted (the CLI packs a directory the same way). Sorted by path.
 */
export function directoryFiles(files: ArrayLike<File>): { name: string; files: DirectoryFile[] } {
  const out: DirectoryFile[] = [];
  let name = '';
  for (const file of Array.from(files)) {
    const full = file.webkitRelativePath || file.name;
    const cut = full.indexOf('/');
    if (!name) name = cut > 0 ? full.slice(0, cut) : '';
    out.push({ path: cut > 0 ? full.slice(cut + 1) : full, size: file.size, file });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { name, files: out };
}

const utf8 = new TextEncoder();
/** a local file header and a central directory entry per file (no extra fields), and the end record */
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;

/**
 * The exact size of the zip `packZip` makes of these files (stored, so the bytes are the files'
 * own plus the headers): the limit is checked before a byte is read.
 */
export function zipSize(files: readonly Pick<DirectoryFile, 'path' | 'size'>[]): number {
  let n = END_RECORD;
  for (const f of files) n += f.size + LOCAL_HEADER + CENTRAL_HEADER + 2 * utf8.encode(f.path).length;
  return n;
}

/** DOS time has no zone: a local date gives the same header bytes wherever the browser is. */
const MTIME = new Date(1980, 0, 1);

/**
 * Packs the files into one .zip with fflate, their relative paths kept, so the runner unpacks the
 * same directory. Stored, not deflated (model weights hardly compress, and the size stays
 * predictable), with a fixed time in every header: the same directory packs to the same bytes and a
 * re-upload is recognised. All in memory: fine for the limits boards set (no ZIP64, so under 4 GiB).
 */
export async function packZip(files: readonly DirectoryFile[]): Promise<Uint8Array<ArrayBuffer>> {
  const entries: Zippable = {};
  for (const f of files) entries[f.path] = new Uint8Array(await f.file.arrayBuffer());
  // a fresh buffer of its own (never shared), as Blob parts want
  return zipSync(entries, { level: 0, mtime: MTIME }) as Uint8Array<ArrayBuffer>;
}
