import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatasetBundleRef } from '@trueboard/contracts';
import { createApiToken } from '@trueboard/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, defaultCacheDir, PlatformClient } from '../src/index';
import { CountingSource, rotBlob, sha256, uploadBlob } from './blob-store';
import { type Live, livePlatform } from './live-platform';

/*
 * The content cache fed by the real platform's blob route. An admin token reads any blob (a runner
 * token only those of a run it holds), so the test can store and fetch arbitrary files.
 */

let live: Live;
let adminToken: string;
let dir: string;
let source: CountingSource;
let cache: ContentCache;

beforeAll(async () => {
  live = await livePlatform();
  adminToken = (await createApiToken(live.p, live.cast.admin.actor, { name: 'cache test' })).secret;
});
afterAll(() => live?.close());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kit-cache-'));
  source = new CountingSource(new PlatformClient(live.url, adminToken, { retries: 0 }));
  cache = new ContentCache(source, dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const upload = (content: string) => uploadBlob(live, adminToken, content);
const rot = (hash: string, bytes: string) => rotBlob(live, hash, bytes);

async function bundleRef(files: Record<string, string>): Promise<DatasetBundleRef> {
  const list = [];
  for (const [p, content] of Object.entries(files))
    list.push({ path: p, sha256: await upload(content), size: content.length });
  return { benchmark: 'tiny', version: 2, contentHash: sha256(JSON.stringify(list)), files: list, evaluator: {} };
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

describe('ContentCache.fetchBlob', () => {
  it('stores a verified blob under blobs/<aa>/<sha256> and serves it from disk afterwards', async () => {
    const hash = await upload('hello blob');
    const p = await cache.fetchBlob(hash);
    expect(p).toBe(path.join(dir, 'blobs', hash.slice(0, 2), hash));
    expect(await readFile(p, 'utf8')).toBe('hello blob');
    expect(await cache.fetchBlob(hash)).toBe(p);
    expect(source.count(hash)).toBe(1);
  });

  it('downloads a blob once when asked for it concurrently', async () => {
    const hash = await upload('x'.repeat(100_000));
    const [a, b] = await Promise.all([cache.fetchBlob(hash), cache.fetchBlob(hash)]);
    expect(a).toBe(b);
    expect(source.count(hash)).toBe(1);
  });

  it('rejects bytes that do not match their hash and leaves nothing in the cache', async () => {
    const claimed = await upload('what the hash promises');
    await rot(claimed, 'what the disk delivers');
    await expect(cache.fetchBlob(claimed)).rejects.toThrow(
      `blob ${claimed}: downloaded bytes hash to ${sha256('what the disk delivers')}; refusing to cache them`,
    );
    expect(await listTree(path.join(dir, 'blobs'))).toEqual([]);
    expect(await listTree(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('rejects a hash that is not a sha256 before touching disk or network', async () => {
    await expect(cache.fetchBlob('../../etc/passwd')).rejects.toThrow(
      'blob hash "../../etc/passwd" is not a lowercase hex sha256',
    );
    expect(source.requests).toEqual([]);
  });

  it('reports a blob the server does not have', async () => {
    const missing = sha256('missing');
    await expect(cache.fetchBlob(missing)).rejects.toThrow(`server refused blob (404): blob ${missing} not found`);
  });
});

describe('ContentCache.materializeBundle', () => {
  it('lays out every file at its relative path under bundles/<contentHash>', async () => {
    const ref = await bundleRef({ 'dev.json': '[1,2]', 'db/concert/schema.sql': 'CREATE TABLE t(x);', README: 'hi' });
    const bundle = await cache.materializeBundle(ref);
    expect(bundle.root).toBe(path.join(dir, 'bundles', ref.contentHash));
    expect(bundle.ref).toBe(ref);
    expect((await listTree(bundle.root)).sort()).toEqual(['README', 'db/concert/schema.sql', 'dev.json']);
    expect(await readFile(path.join(bundle.root, 'db/concert/schema.sql'), 'utf8')).toBe('CREATE TABLE t(x);');
    expect(await readFile(path.join(bundle.root, 'dev.json'), 'utf8')).toBe('[1,2]');
    expect(await listTree(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('reuses a materialised bundle without downloading again', async () => {
    const ref = await bundleRef({ 'a.txt': 'A', 'b/c.txt': 'C' });
    const first = await cache.materializeBundle(ref);
    const again = new CountingSource(new PlatformClient(live.url, adminToken));
    const second = await new ContentCache(again, dir).materializeBundle(ref);
    expect(second.root).toBe(first.root);
    expect(again.requests).toEqual([]);
  });

  it('shares identical files between bundles through the blob store', async () => {
    await cache.materializeBundle(await bundleRef({ 'x.txt': 'same' }));
    await cache.materializeBundle(await bundleRef({ 'y/x.txt': 'same', 'z.txt': 'other' }));
    expect(source.count(sha256('same'))).toBe(1);
  });

  it.each([
    ['../escape.txt', 'contains ".."'],
    ['a/../../escape.txt', 'contains ".."'],
    ['/etc/passwd', 'is absolute'],
    ['C:\\evil.txt', 'is absolute'],
  ])('rejects the file path %s and builds nothing', async (bad, why) => {
    const ref = await bundleRef({ 'ok.txt': 'fine' });
    const evil = { ...ref, files: [...ref.files, { path: bad, sha256: sha256('fine'), size: 4 }] };
    await expect(cache.materializeBundle(evil)).rejects.toThrow(`dataset tiny@2: file path "${bad}" ${why}`);
    expect(await listTree(path.join(dir, 'bundles'))).toEqual([]);
  });

  it('never leaves a half-built bundle when one of its blobs is corrupt', async () => {
    const ref = await bundleRef({ 'good.txt': 'good' });
    const lie = await upload('promised');
    await rot(lie, 'delivers');
    const broken = { ...ref, files: [...ref.files, { path: 'bad.txt', sha256: lie, size: 8 }] };
    await expect(cache.materializeBundle(broken)).rejects.toThrow(
      `blob ${lie}: downloaded bytes hash to ${sha256('delivers')}; refusing to cache them`,
    );
    expect(await listTree(path.join(dir, 'bundles'))).toEqual([]);
    expect(await listTree(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('defaultCacheDir', () => {
  it('prefers TRUEBOARD_CACHE_DIR and falls back to ~/.cache/trueboard', () => {
    expect(defaultCacheDir({ TRUEBOARD_CACHE_DIR: '/srv/tb-cache' })).toBe(path.resolve('/srv/tb-cache'));
    expect(defaultCacheDir({})).toMatch(/[/\\]\.cache[/\\]trueboard$/);
  });
});
