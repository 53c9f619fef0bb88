import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, detectArchive, type UnpackLimits, unpackArchive } from '../src/index';
import { listAll, readTree, type TarEntry, tar, tarGz, type ZipEntry, zip } from './archives';

/*
 * unpackArchive on archives made by hand. Every hostile one must stop with an ArchiveError that names
 * the entry, and leave the sandbox around the target directory exactly as it was.
 */

let sandbox: string;
let out: string;
beforeEach(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), 'kit-unpack-'));
  await writeFile(path.join(sandbox, 'innocent.txt'), 'here before');
  // the target is two levels down, so "../" and "../../" both land inside the sandbox if they escape
  await mkdir(path.join(sandbox, 'cache', 'trees'), { recursive: true });
  out = path.join(sandbox, 'cache', 'trees', 'out');
});
afterEach(() => rm(sandbox, { recursive: true, force: true }));

const MiB = 1024 ** 2;
const LIMITS: UnpackLimits = { maxBytes: MiB, maxEntries: 5 };

async function unpack(bytes: Buffer, limits: UnpackLimits = LIMITS) {
  const file = path.join(sandbox, 'upload');
  await writeFile(file, bytes);
  try {
    return await unpackArchive(file, out, limits);
  } finally {
    await rm(file);
  }
}

/** Unpacks, expects the refusal, and checks that nothing but the (caller-removed) target was touched. */
async function refused(bytes: Buffer, message: string | RegExp, limits?: UnpackLimits) {
  const before = await listAll(sandbox);
  const error = await unpack(bytes, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  await rm(out, { recursive: true, force: true });
  expect(await listAll(sandbox)).toEqual(before);
}

const evilTar = (entries: TarEntry[]) => tar([{ path: 'ok.txt', body: 'fine' }, ...entries]);
const evilZip = (entries: ZipEntry[]) => zip([{ name: 'ok.txt', body: 'fine' }, ...entries]);

describe('unpackArchive refuses what could escape the directory', () => {
  it.each([
    ['tar', '../evil.txt', (name: string) => evilTar([{ path: name, body: 'x' }])],
    ['tar', 'a/../../../evil.txt', (name: string) => evilTar([{ path: name, body: 'x' }])],
    ['zip', '../../evil.txt', (name: string) => evilZip([{ name, body: 'x' }])],
    ['zip', '..\\..\\evil.txt', (name: string) => evilZip([{ name, body: 'x' }])],
  ])('zip-slip in a %s: %s', async (_format, name, make) => {
    await refused(
      make(name),
      `has an entry ${JSON.stringify(name)} that points outside the directory (its path contains "..")`,
    );
  });

  it.each(['tar', 'zip'])('an absolute path in a %s', async (format) => {
    const target = path.join(sandbox, 'evil.txt');
    const bytes = format === 'tar' ? evilTar([{ path: target, body: 'x' }]) : evilZip([{ name: target, body: 'x' }]);
    await refused(bytes, `has an entry ${JSON.stringify(target)} with an absolute path`);
  });

  it('a Windows drive path', async () => {
    await refused(evilZip([{ name: 'C:/evil.txt', body: 'x' }]), 'has an entry "C:/evil.txt" with an absolute path');
    // relative to the current directory of drive C: still not inside ours
    await refused(evilTar([{ path: 'C:evil.txt', body: 'x' }]), 'has an entry "C:evil.txt" with an absolute path');
  });

  it('a symbolic link out of a tar, before anything is written through it', async () => {
    const bytes = evilTar([
      { path: 'escape', type: 'SymbolicLink', linkpath: '../..' },
      { path: 'escape/evil.txt', body: 'x' },
    ]);
    await refused(
      bytes,
      'has an entry "escape" that is a symbolic link (to "../.."); only files and directories are unpacked',
    );
  });

  it('a symbolic link in a zip (its target is the entry data)', async () => {
    const bytes = evilZip([{ name: 'escape', unixMode: 0o120777, body: '/etc' }]);
    await refused(bytes, 'has an entry "escape" that is a symbolic link; only files and directories are unpacked');
  });

  it('hard links, devices, pipes and types it does not know', async () => {
    await refused(
      evilTar([{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }]),
      'has an entry "passwd" that is a hard link (to "/etc/passwd"); only files and directories are unpacked',
    );
    await refused(
      evilTar([{ path: 'tty', type: 'CharacterDevice' }]),
      'has an entry "tty" that is a device file; only files and directories are unpacked',
    );
    await refused(
      evilTar([{ path: 'pipe', type: 'FIFO' }]),
      'has an entry "pipe" that is neither a file nor a directory; only those are unpacked',
    );
    await refused(
      evilTar([{ path: 'holes.bin', type: 'SparseFile' }]),
      'has an entry "holes.bin" of type SparseFile; only files and directories are unpacked',
    );
  });

  it('an entry twice, or a file under a file', async () => {
    await refused(evilTar([{ path: 'ok.txt', body: 'again' }]), 'has the entry "ok.txt" twice');
    await refused(
      evilTar([{ path: 'ok.txt/inner', body: 'x' }]),
      'has an entry "ok.txt/inner" inside "ok.txt", which is a file',
    );
  });
});

describe('unpackArchive stops a decompression bomb at the limits', () => {
  const zeros = Buffer.alloc(2 * MiB);

  it('a tar.gz whose entry unpacks past the byte limit, before it is written', async () => {
    const bytes = tarGz([
      { path: 'small.txt', body: 'ok' },
      { path: 'weights/zeros.bin', body: zeros },
    ]);
    expect(bytes.length).toBeLessThan(10_000);
    await refused(bytes, 'unpacks to more than 1.0 MiB (the limit) at entry "weights/zeros.bin"');
  });

  it('a zip whose entry unpacks past the byte limit', async () => {
    await refused(
      zip([{ name: 'zeros.bin', body: zeros }]),
      'unpacks to more than 1.0 MiB (the limit) at entry "zeros.bin"',
    );
  });

  it('a zip that understates the size of an entry', async () => {
    // 10 bytes declared, 2 MiB inside: yauzl notices the lie on the first chunk past it
    await refused(
      zip([{ name: 'liar.bin', body: zeros, declaredSize: 10 }]),
      /^has an entry "liar\.bin" that cannot be read: too many bytes in the stream\. expected 10\. got at least \d+$/,
    );
  });

  it('a tar.gz that inflates a thousandfold, stopped by node-tar while the entry is being written', async () => {
    const limits = { maxBytes: 64 * MiB, maxEntries: 5 };
    await refused(
      tarGz([{ path: 'zeros.bin', body: Buffer.alloc(16 * MiB) }]),
      /^is not a readable tar archive: max decompression ratio exceeded: \d+\.\d+ > 1000$/,
      limits,
    );
  });

  it('too many entries', async () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({ path: `${n}.txt`, body: n }));
    await refused(tar(many), 'has more than 5 entries (the limit); "f.txt" is one too many');
    await refused(zip(many.map((e) => ({ name: e.path, body: e.body }))), 'has 6 entries, more than the limit of 5');
  });
});

describe('unpackArchive on what is not an archive', () => {
  it('names the formats it takes', async () => {
    await refused(Buffer.from('{"predictions": {}}'), 'is not a .tar, .tar.gz or .zip archive');
    await refused(
      gzipSync(Buffer.from('just text, gzipped')),
      'is not a readable tar archive: Unrecognized archive format',
    );
  });
});

describe('unpackArchive on a good archive', () => {
  const tree: TarEntry[] = [
    { path: 'adapter_config.json', body: '{"r": 8}' },
    { path: 'onnx/', type: 'Directory' },
    { path: 'onnx/model.onnx', body: 'not really a model' },
    { path: './tokenizer/vocab.txt', body: 'a\nb\n' },
  ];
  const expected = {
    'adapter_config.json': '{"r": 8}',
    'onnx/': '',
    'onnx/model.onnx': 'not really a model',
    'tokenizer/': '',
    'tokenizer/vocab.txt': 'a\nb\n',
  };

  it.each([
    ['tar', () => tar(tree)],
    ['tar.gz', () => tarGz(tree)],
    ['zip', () => zip(tree.map((e) => ({ name: e.path, body: e.body })))],
  ] as const)('%s: the same tree, files read-only', async (format, make) => {
    const bytes = make();
    const file = path.join(sandbox, 'upload');
    await writeFile(file, bytes);
    expect(await detectArchive(file)).toBe(format);
    const result = await unpackArchive(file, out, LIMITS);
    expect(result).toEqual({ format, entries: 4, bytes: 8 + 18 + 4 });
    expect(await readTree(out)).toEqual(expected);
    expect((await stat(path.join(out, 'onnx', 'model.onnx'))).mode & 0o777).toBe(0o444);
  });
});
