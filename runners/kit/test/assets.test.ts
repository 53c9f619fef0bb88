import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BenchmarkAsset, type DatasetBundleRef, SubmissionError } from '@trueboard/contracts';
import { createApiToken } from '@trueboard/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, PlatformClient } from '../src/index';
import { listAll, readTree, tarGz } from './archives';
import { CountingSource, rotBlob, sha256, uploadBlob } from './blob-store';
import { type Live, livePlatform } from './live-platform';

/*
 * Benchmark assets (manifest `assets`) fetched by hash from the real platform's blob route, beside
 * the dataset bundle: files, directories unpacked from archives, and dataset files named as assets.
 * A benchmark whose asset does not match its declaration is refused, naming the asset.
 */

let live: Live;
let adminToken: string;
let dir: string;
let source: CountingSource;
let cache: ContentCache;

beforeAll(async () => {
  live = await livePlatform();
  adminToken = (await createApiToken(live.p, live.cast.admin.actor, { name: 'assets test' })).secret;
});
afterAll(() => live?.close());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kit-assets-'));
  source = new CountingSource(new PlatformClient(live.url, adminToken, { retries: 0 }));
  cache = new ContentCache(source, dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const upload = (content: string | Uint8Array) => uploadBlob(live, adminToken, content);

/** A dataset version of one gold file, with the given assets. */
async function refWith(assets: Record<string, BenchmarkAsset>): Promise<DatasetBundleRef> {
  const gold = '{"examples": []}';
  const files = [{ path: 'gold.json', sha256: await upload(gold), size: gold.length }];
  return { benchmark: 'tiny', version: 3, contentHash: sha256(JSON.stringify(files)), files, evaluator: {}, assets };
}

describe('ContentCache.materializeBundle with assets', () => {
  it('fetches file and directory assets by hash and hands their paths over with the bundle', async () => {
    const model = 'onnx bytes of a base model';
    const tokenizer = tarGz([
      { path: 'tokenizer.json', body: '{"model": "wordpiece"}' },
      { path: 'vocab.txt', body: '[PAD]\n[UNK]\n' },
    ]);
    const ref = await refWith({
      'base-model': { sha256: await upload(model), bytes: model.length, kind: 'file' },
      tokenizer: { sha256: await upload(tokenizer), bytes: tokenizer.length, kind: 'directory' },
    });
    const bundle = await cache.materializeBundle(ref);
    const base = bundle.assets?.['base-model'];
    const tok = bundle.assets?.tokenizer;
    if (!base || !tok) throw new Error(`assets missing: ${JSON.stringify(bundle.assets)}`);
    expect(base).toEqual({ sha256: sha256(model), kind: 'file', path: cache.blobPath(sha256(model)) });
    expect(await readFile(base.path, 'utf8')).toBe(model);
    expect(tok).toEqual({ sha256: sha256(tokenizer), kind: 'directory', path: cache.treePath(sha256(tokenizer)) });
    expect(await readTree(tok.path)).toEqual({
      'tokenizer.json': '{"model": "wordpiece"}',
      'vocab.txt': '[PAD]\n[UNK]\n',
    });
    // a second runner on the same cache downloads nothing
    const again = new CountingSource(new PlatformClient(live.url, adminToken));
    expect((await new ContentCache(again, dir).materializeBundle(ref)).assets).toEqual(bundle.assets);
    expect(again.requests).toEqual([]);
  });

  it('takes a dataset file as an asset when `path` names it with the same hash', async () => {
    const ref = await refWith({});
    const gold = ref.files[0];
    if (!gold) throw new Error('no file');
    const named = {
      ...ref,
      assets: { gold: { sha256: gold.sha256, bytes: gold.size, kind: 'file', path: 'gold.json' } },
    };
    const bundle = await cache.materializeBundle(named as DatasetBundleRef);
    expect(await readFile(bundle.assets?.gold?.path ?? '', 'utf8')).toBe('{"examples": []}');
  });
});

describe('a benchmark whose asset does not match its declaration', () => {
  it('is refused when the bytes do not hash to the declared sha256, and nothing is cached', async () => {
    const claimed = await upload('the model the manifest promises');
    await rotBlob(live, claimed, 'a model someone swapped in!!!!!');
    const ref = await refWith({ 'base-model': { sha256: claimed, bytes: 31, kind: 'file' } });
    const error = await cache.materializeBundle(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SubmissionError);
    expect((error as Error).message).toBe(
      `asset "base-model" of tiny@3: blob ${claimed}: downloaded bytes hash to ${sha256('a model someone swapped in!!!!!')}; refusing to cache them`,
    );
    expect(existsSync(cache.blobPath(claimed))).toBe(false);
    expect(await listAll(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('is refused when the size differs from the declared bytes', async () => {
    const hash = await upload('twelve bytes');
    const ref = await refWith({ vocab: { sha256: hash, bytes: 13, kind: 'file' } });
    await expect(cache.materializeBundle(ref)).rejects.toThrow(
      new Error(`asset "vocab" of tiny@3: the manifest says 13 bytes, blob ${hash} has 12 (12 B)`),
    );
  });

  it('is refused when its path is not a dataset file, or a dataset file with another hash', async () => {
    const ref = await refWith({});
    const other = sha256('other');
    await expect(
      cache.materializeBundle({ ...ref, assets: { m: { sha256: other, bytes: 5, kind: 'file', path: 'model.onnx' } } }),
    ).rejects.toThrow(new Error('asset "m" of tiny@3: "model.onnx" is not a file of the dataset'));
    await expect(
      cache.materializeBundle({ ...ref, assets: { m: { sha256: other, bytes: 5, kind: 'file', path: 'gold.json' } } }),
    ).rejects.toThrow(
      new Error(
        `asset "m" of tiny@3: the dataset's "gold.json" has sha256 ${ref.files[0]?.sha256}, the manifest says ${other}`,
      ),
    );
  });

  it('is the benchmark’s error, not a submitter’s, when a directory asset is a hostile archive', async () => {
    const evil = tarGz([{ path: '../escape.txt', body: 'x' }]);
    const ref = await refWith({ tokenizer: { sha256: await upload(evil), bytes: evil.length, kind: 'directory' } });
    const error = await cache.materializeBundle(ref).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(SubmissionError);
    expect((error as Error).message).toBe(
      'asset "tokenizer" of tiny@3: the archive has an entry "../escape.txt" that points outside the directory (its path contains "..")',
    );
    expect(await listAll(path.join(dir, 'trees'))).toEqual([]);
  });
});
