import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SubmissionError } from '@trueboard/contracts';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, fetchArtifact, LocalBlobs } from '../src/index';
import { readTree, zip } from './archives';

/*
 * `file-or-directory`: the stored bytes decide what an evaluator gets. Archives made by the `tar`
 * package (the one the CLI packs with) and a zip are unpacked as directories within the evaluator's
 * limits; a run file, an empty file or a plain text file is handed over as it is.
 */

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const RUN = 'q1 Q0 d1 1 2.5 run\nq1 Q0 d2 2 1.5 run\n';
const FILES = { 'model.onnx': 'graph bytes', 'tokenizer.json': '{"model": {}}', 'sub/config.json': '{}' };
const either = { artifact: { kind: 'file-or-directory' as const, maxUnpackedBytes: 4096, maxEntries: 10 } };

let parent: string;
let blobs: LocalBlobs;
let cache: ContentCache;

beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'kit-sniff-'));
  blobs = new LocalBlobs();
  cache = new ContentCache(blobs, path.join(parent, 'cache'));
});
afterEach(() => rm(parent, { recursive: true, force: true }));

/** Stores `bytes` as an upload and fetches it for an evaluator with `evaluator`'s artifact spec. */
function fetch(bytes: Buffer, evaluator: Parameters<typeof fetchArtifact>[2] = either) {
  const hash = sha256(bytes);
  const file = path.join(parent, `upload-${hash.slice(0, 8)}`);
  writeFileSync(file, bytes);
  blobs.add(hash, file);
  return fetchArtifact(cache, { sha256: hash, size: bytes.length, mediaType: 'application/octet-stream' }, evaluator);
}

/** A real directory packed by the `tar` package, as `trueboard submit` packs one. */
async function packed(gzip: boolean): Promise<Buffer> {
  const src = path.join(parent, `src-${gzip}`);
  for (const [name, body] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    writeFileSync(path.join(src, name), body);
  }
  const out = path.join(parent, gzip ? 'model.tar.gz' : 'model.tar');
  await createTar({ file: out, cwd: src, gzip, portable: true }, ['model.onnx', 'tokenizer.json', 'sub']);
  return readFileSync(out);
}

const tree = { 'model.onnx': 'graph bytes', 'tokenizer.json': '{"model": {}}', 'sub/': '', 'sub/config.json': '{}' };

describe('fetchArtifact for an evaluator that takes a file or a directory', () => {
  it('unpacks a tar, a tar.gz and a zip to the same directory', async () => {
    const zipped = zip([
      { name: 'model.onnx', body: FILES['model.onnx'] },
      { name: 'tokenizer.json', body: FILES['tokenizer.json'] },
      { name: 'sub/', unixMode: 0o40755 },
      { name: 'sub/config.json', body: FILES['sub/config.json'] },
    ]);
    for (const bytes of [await packed(false), await packed(true), zipped]) {
      const artifact = await fetch(bytes);
      expect(artifact.kind).toBe('directory');
      expect(artifact.path).toBe(cache.treePath(sha256(bytes)));
      expect(await readTree(artifact.path)).toEqual(tree);
    }
  });

  it('hands a run file, an empty file and a short text over as files', async () => {
    for (const text of [RUN, '', 'PK', 'x'.repeat(600)]) {
      const bytes = Buffer.from(text);
      const artifact = await fetch(bytes);
      expect(artifact).toEqual({
        sha256: sha256(bytes),
        mediaType: 'application/octet-stream',
        kind: 'file',
        path: cache.blobPath(sha256(bytes)),
      });
      expect(readFileSync(artifact.path, 'utf8')).toBe(text);
    }
  });

  it('takes a gzip that holds no tar for a directory, and says how a single file is sent', async () => {
    const err = await fetch(gzipSync(RUN)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmissionError);
    expect((err as Error).message).toMatch(
      /^the artifact is not a readable tar archive: .*send a single file uncompressed\)$/,
    );
  });

  it("applies the evaluator's unpacking limits as for a directory", async () => {
    const big = zip([{ name: 'model.onnx', body: Buffer.alloc(8192) }]);
    const err = await fetch(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmissionError);
    expect((err as Error).message).toMatch(
      /^the artifact unpacks to more than 4\.0 KiB \(the limit\) at entry "model\.onnx"/,
    );
  });

  it('leaves the other kinds as they were: a file evaluator gets the archive itself', async () => {
    const bytes = await packed(true);
    expect((await fetch(bytes, {})).kind).toBe('file');
    expect((await fetch(bytes, { artifact: { kind: 'file' } })).kind).toBe('file');
    await expect(fetch(Buffer.from(RUN), { artifact: { kind: 'directory' } })).rejects.toThrow(
      new SubmissionError('the artifact is not a .tar, .tar.gz or .zip archive'),
    );
  });
});
