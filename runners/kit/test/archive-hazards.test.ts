import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, ContentCache, LocalBlobs } from '../src/index';
import { listAll, type TarEntry, tar, tarGz, zip } from './archives';

/*
 * Every hazard in every format, through the cache as a runner (and `trueboard eval`) unpacks: a
 * zip-slip, an absolute path, a symbolic link out of the directory and a decompression bomb each
 * stop with an ArchiveError naming the entry, in a .tar, a .tar.gz and a .zip alike. Outside the
 * cache nothing changes; inside, only the verified archive blob stays, and no tree.
 */

const MiB = 1024 ** 2;
const LIMITS = { maxBytes: MiB, maxEntries: 10 };

let sandbox: string;
let cacheDir: string;
beforeEach(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), 'kit-hazards-'));
  await writeFile(path.join(sandbox, 'neighbour.txt'), 'was here first');
  cacheDir = path.join(sandbox, 'cache');
});
afterEach(() => rm(sandbox, { recursive: true, force: true }));

type Format = 'tar' | 'tar.gz' | 'zip';

/** The same entries as each format: tar entries, with a link's target as the zip entry's data. */
function archive(format: Format, entries: TarEntry[]): Buffer {
  if (format === 'tar') return tar(entries);
  if (format === 'tar.gz') return tarGz(entries);
  return zip(
    entries.map((e) =>
      e.type === 'SymbolicLink'
        ? { name: e.path, unixMode: 0o120777, body: e.linkpath ?? '' }
        : { name: e.path, body: e.body ?? '' },
    ),
  );
}

/** From cache/tmp/<build>/, "../../../" is the sandbox around the cache. */
const hazards: [string, () => TarEntry[], (f: Format) => string][] = [
  [
    'zip-slip',
    () => [
      { path: 'ok.txt', body: 'ok' },
      { path: '../../../evil.txt', body: 'pwned' },
    ],
    () => 'has an entry "../../../evil.txt" that points outside the directory (its path contains "..")',
  ],
  [
    'an absolute path',
    () => [{ path: path.join(sandbox, 'evil.txt'), body: 'pwned' }],
    () => `has an entry ${JSON.stringify(path.join(sandbox, 'evil.txt'))} with an absolute path`,
  ],
  [
    'a symbolic link out of the directory',
    () => [
      { path: 'up', type: 'SymbolicLink', linkpath: '../../..' },
      { path: 'up/evil.txt', body: 'pwned' },
    ],
    (f) =>
      `has an entry "up" that is a symbolic link${f === 'zip' ? '' : ' (to "../../..")'}; only files and directories are unpacked`,
  ],
  [
    'a decompression bomb',
    () => [
      { path: 'ok.txt', body: 'ok' },
      { path: 'zeros.bin', body: Buffer.alloc(2 * MiB) },
    ],
    () => 'unpacks to more than 1.0 MiB (the limit) at entry "zeros.bin"',
  ],
];

describe.each(['tar', 'tar.gz', 'zip'] as const)('a hostile %s', (format) => {
  it.each(hazards)('%s fails cleanly', async (_name, entries, message) => {
    const bytes = archive(format, entries());
    const upload = path.join(sandbox, 'upload');
    await writeFile(upload, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const blobs = new LocalBlobs();
    blobs.add(sha256, upload);
    const cache = new ContentCache(blobs, cacheDir, { maxBytes: 64 * MiB });
    const before = (await listAll(sandbox)).filter((p) => !p.startsWith('cache'));
    const error = await cache.fetchTree(sha256, { limits: LIMITS }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as Error).message).toBe(message(format));
    expect((await listAll(sandbox)).filter((p) => !p.startsWith(`cache${path.sep}`))).toEqual(
      [...before, 'cache'].sort(),
    );
    const blob = path.join('blobs', sha256.slice(0, 2));
    expect(await listAll(cacheDir)).toEqual(['blobs', blob, path.join(blob, sha256), 'pins', 'tmp']);
  });
});
