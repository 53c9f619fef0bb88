import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Header, Pax } from 'tar';

/** One file or directory to pack, at its POSIX path relative to the packed directory. */
interface Packable {
  rel: string;
  abs: string;
  kind: 'file' | 'directory';
  size: number;
}

const BLOCK = 512;
/** Fixed metadata: the same content packs to the same bytes, whoever packs it and whenever. */
const MTIME = new Date(0);
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

/**
 * Packs a directory (a PEFT adapter, an ONNX model directory) into a plain tar at `out`,
 * deterministically: entries in byte order of their paths, mtime 0, modes 0644/0755, owner 0 and no
 * user or group names, so the same content always has the same sha256 and a re-upload is recognised.
 * Not gzipped: zlib's output may differ between builds, and model weights hardly compress.
 * A symbolic link to a file is packed as that file (a Hugging Face snapshot links its blobs);
 * a link to a directory, a broken link, or a socket or device is an error naming it.
 */
export async function packDirectory(
  root: string,
  out: string,
): Promise<{ files: number; bytes: number; sha256: string; size: number }> {
  const entries = await listTree(root);
  if (!entries.some((e) => e.kind === 'file')) throw new Error(`${root}: the directory holds no files`);
  const hash = createHash('sha256');
  const fh = await open(out, 'wx', 0o600);
  let size = 0;
  const write = async (buf: Buffer) => {
    hash.update(buf);
    size += buf.length;
    await fh.write(buf);
  };
  let files = 0;
  let bytes = 0;
  try {
    for (const e of entries) {
      const name = e.kind === 'directory' ? `${e.rel}/` : e.rel;
      const header = new Header({
        path: name,
        type: e.kind === 'directory' ? 'Directory' : 'File',
        mode: e.kind === 'directory' ? DIR_MODE : FILE_MODE,
        size: e.kind === 'directory' ? 0 : e.size,
        mtime: MTIME,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
      });
      // names past 100 bytes (or not ASCII) and files past 8 GiB go in a pax header first
      if (header.encode()) await write(new Pax({ path: name, size: header.size }).encode());
      if (!header.block) throw new Error(`${e.abs}: could not encode its tar header`);
      await write(header.block);
      if (e.kind === 'directory') continue;
      let read = 0;
      for await (const chunk of createReadStream(e.abs)) {
        read += (chunk as Buffer).length;
        if (read > e.size) break;
        await write(chunk as Buffer);
      }
      if (read !== e.size) throw new Error(`${e.abs}: the file changed while it was being packed; try again`);
      await write(Buffer.alloc((BLOCK - (e.size % BLOCK)) % BLOCK));
      files++;
      bytes += e.size;
    }
    // the end of the archive: two empty blocks
    await write(Buffer.alloc(2 * BLOCK));
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { files, bytes, sha256: hash.digest('hex'), size };
}

/** Every file and directory under root, links to files resolved, sorted by the bytes of their paths. */
async function listTree(root: string): Promise<Packable[]> {
  const out: Packable[] = [];
  const walk = async (dir: string, relDir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const abs = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      let s = await lstat(abs);
      if (s.isSymbolicLink()) {
        const target = await stat(abs).catch(() => undefined);
        if (!target) throw new Error(`${abs}: a symbolic link to nothing`);
        if (target.isDirectory())
          throw new Error(`${abs}: a symbolic link to a directory; copy the directory in instead`);
        s = target;
      }
      if (s.isDirectory()) {
        out.push({ rel, abs, kind: 'directory', size: 0 });
        await walk(abs, rel);
      } else if (s.isFile()) {
        out.push({ rel, abs, kind: 'file', size: s.size });
      } else {
        throw new Error(`${abs}: neither a file nor a directory (a socket, pipe or device); remove it first`);
      }
    }
  };
  await walk(root, '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
}
