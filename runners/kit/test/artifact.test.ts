import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SubmissionError } from '@trueboard/contracts';
import { createApiToken } from '@trueboard/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, fetchArtifact, PlatformClient } from '../src/index';
import { listAll, readTree, type TarEntry, tar, tarGz, zip } from './archives';
import { CountingSource, uploadBlob } from './blob-store';
import { type Live, livePlatform } from './live-platform';

/*
 * A submission's directory artifact, from the real platform's blob route into the cache: unpacked
 * once per archive hash, and refused as the submitter's fault (SubmissionError, so user_error) when
 * it is hostile, with nothing written outside the cache and nothing unpacked left inside it.
 */

let live: Live;
let adminToken: string;
let parent: string;
let dir: string;
let source: CountingSource;
let cache: ContentCache;

const MiB = 1024 ** 2;
const directoryEvaluator = { artifact: { kind: 'directory' as const, maxUnpackedBytes: MiB, maxEntries: 10 } };

beforeAll(async () => {
  live = await livePlatform();
  adminToken = (await createApiToken(live.p, live.cast.admin.actor, { name: 'artifact test' })).secret;
});
afterAll(() => live?.close());
beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'kit-artifact-'));
  await writeFile(path.join(parent, 'neighbour.txt'), 'was here first');
  dir = path.join(parent, 'cache');
  source = new CountingSource(new PlatformClient(live.url, adminToken, { retries: 0 }));
  cache = new ContentCache(source, dir);
});
afterEach(() => rm(parent, { recursive: true, force: true }));

async function fetchDirectory(bytes: Buffer) {
  const sha256 = await uploadBlob(live, adminToken, bytes);
  const artifact = { sha256, size: bytes.length, mediaType: 'application/octet-stream' };
  return { sha256, result: fetchArtifact(cache, artifact, directoryEvaluator) };
}

describe('fetchArtifact refuses a hostile archive as the submitter’s error', () => {
  // from cache/tmp/<build>/, "../../../" is the cache's parent and "../../" the cache itself
  const cases: [string, () => Buffer, string][] = [
    [
      'zip-slip (tar)',
      () =>
        tar([
          { path: 'ok.txt', body: 'ok' },
          { path: '../../../evil.txt', body: 'pwned' },
        ]),
      'the artifact has an entry "../../../evil.txt" that points outside the directory (its path contains "..")',
    ],
    [
      'zip-slip (zip)',
      () => zip([{ name: '../../evil.txt', body: 'pwned' }]),
      'the artifact has an entry "../../evil.txt" that points outside the directory (its path contains "..")',
    ],
    [
      'an absolute path',
      () => tar([{ path: '/tmp/evil.txt', body: 'pwned' }]),
      'the artifact has an entry "/tmp/evil.txt" with an absolute path',
    ],
    [
      'a symbolic link out of the directory',
      () =>
        tarGz([
          { path: 'up', type: 'SymbolicLink', linkpath: '../../..' },
          { path: 'up/evil.txt', body: 'pwned' },
        ]),
      'the artifact has an entry "up" that is a symbolic link (to "../../.."); only files and directories are unpacked',
    ],
    [
      'a decompression bomb',
      () => tarGz([{ path: 'zeros.bin', body: Buffer.alloc(4 * MiB) }]),
      'the artifact unpacks to more than 1.0 MiB (the limit) at entry "zeros.bin"',
    ],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    const bytes = make();
    const { sha256, result } = await fetchDirectory(bytes);
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as Error).message).toBe(message);
    // outside the cache: as it was; inside: the verified archive blob and empty working dirs only
    const all = await listAll(parent);
    expect(all.filter((p) => !p.startsWith(`cache${path.sep}`))).toEqual(['cache', 'neighbour.txt']);
    const blob = path.join('blobs', sha256.slice(0, 2));
    expect(await listAll(dir)).toEqual(['blobs', blob, path.join(blob, sha256), 'pins', 'tmp']);
  });
});

describe('fetchArtifact for an evaluator that takes a directory', () => {
  const files: TarEntry[] = [
    { path: 'adapter_config.json', body: '{"r": 16, "lora_alpha": 32}' },
    { path: 'adapter_model.safetensors', body: 'tensor bytes' },
    { path: 'onnx/model.onnx', body: 'graph' },
  ];

  it('unpacks a tar.gz and a zip of the same files to the same tree, each once per archive hash', async () => {
    const gz = await fetchDirectory(tarGz(files));
    const zipped = await fetchDirectory(zip(files.map((f) => ({ name: f.path, body: f.body }))));
    const a = await gz.result;
    const b = await zipped.result;
    expect(a).toEqual({
      sha256: gz.sha256,
      mediaType: 'application/octet-stream',
      kind: 'directory',
      path: path.join(dir, 'trees', gz.sha256),
    });
    expect(b.path).toBe(path.join(dir, 'trees', zipped.sha256));
    const tree = await readTree(a.path);
    expect(tree).toEqual({
      'adapter_config.json': '{"r": 16, "lora_alpha": 32}',
      'adapter_model.safetensors': 'tensor bytes',
      'onnx/': '',
      'onnx/model.onnx': 'graph',
    });
    expect(await readTree(b.path)).toEqual(tree);

    // the tree is kept by the archive's hash: it is there even once the archive itself is gone
    await rm(cache.blobPath(gz.sha256));
    const again = await fetchArtifact(
      new ContentCache(source, dir),
      { sha256: gz.sha256, size: 0, mediaType: 'application/octet-stream' },
      directoryEvaluator,
    );
    expect(again.path).toBe(a.path);
    expect(source.count(gz.sha256)).toBe(1);
  });

  it('hands a file-taking evaluator the uploaded file itself', async () => {
    const bytes = tarGz(files);
    const sha256 = await uploadBlob(live, adminToken, bytes);
    const artifact = await fetchArtifact(cache, { sha256, size: bytes.length, mediaType: 'application/x' }, {});
    expect(artifact).toEqual({
      sha256,
      mediaType: 'application/x',
      kind: 'file',
      path: path.join(dir, 'blobs', sha256.slice(0, 2), sha256),
    });
  });

  it('says so when the upload is not an archive at all', async () => {
    const { result } = await fetchDirectory(Buffer.from('{"predictions": {}}'));
    await expect(result).rejects.toThrow(new SubmissionError('the artifact is not a .tar, .tar.gz or .zip archive'));
  });
});
