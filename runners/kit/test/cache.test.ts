import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatasetBundleRef } from '@trueboard/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, defaultCacheDir, PlatformClient } from '../src/index';
import { FakePlatform, sha256 } from './fake-platform';

let platform: FakePlatform;
let dir: string;
let cache: ContentCache;

beforeEach(async () => {
  platform = new FakePlatform();
  await platform.listen();
  dir = await mkdtemp(path.join(tmpdir(), 'kit-cache-'));
  cache = new ContentCache(new PlatformClient(platform.url, platform.token, { retries: 0 }), dir);
});
afterEach(async () => {
  await platform.close();
  await rm(dir, { recursive: true, force: true });
});

function bundleRef(files: Record<string, string>): DatasetBundleRef {
  const list = Object.entries(files).map(([p, content]) => ({
    path: p,
    sha256: platform.addBlob(content),
    size: content.length,
  }));
  return { benchmark: 'tiny', version: 2, contentHash: sha256(JSON.stringify(list)), files: list, evaluator: {} };
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

describe('ContentCache.fetchBlob', () => {
  it('stores a verified blob under blobs/<aa>/<sha256> and serves it from disk afterwards', async () => {
    const hash = platform.addBlob('hello blob');
    const p = await cache.fetchBlob(hash);
    expect(p).toBe(path.join(dir, 'blobs', hash.slice(0, 2), hash));
    expect(await readFile(p, 'utf8')).toBe('hello blob');
    expect(await cache.fetchBlob(hash)).toBe(p);
    expect(platform.count(`GET /api/blobs/${hash}`)).toBe(1);
  });

  it('downloads a blob once when asked for it concurrently', async () => {
    const hash = platform.addBlob('x'.repeat(100_000));
    const [a, b] = await Promise.all([cache.fetchBlob(hash), cache.fetchBlob(hash)]);
    expect(a).toBe(b);
    expect(platform.count(`GET /api/blobs/${hash}`)).toBe(1);
  });

  it('rejects bytes that do not match their hash and leaves nothing in the cache', async () => {
    const claimed = sha256('what the hash promises');
    platform.addBlob('something else entirely', claimed);
    await expect(cache.fetchBlob(claimed)).rejects.toThrow(
      `blob ${claimed}: downloaded bytes hash to ${sha256('something else entirely')}; refusing to cache them`,
    );
    expect(await listTree(path.join(dir, 'blobs'))).toEqual([]);
    expect(await listTree(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('rejects a hash that is not a sha256 before touching disk or network', async () => {
    await expect(cache.fetchBlob('../../etc/passwd')).rejects.toThrow('is not a lowercase hex sha256');
    expect(platform.requests).toEqual([]);
  });

  it('reports a blob the server does not have', async () => {
    await expect(cache.fetchBlob(sha256('missing'))).rejects.toThrow('server refused blob (404): no such blob');
  });
});

describe('ContentCache.materializeBundle', () => {
  it('lays out every file at its relative path under bundles/<contentHash>', async () => {
    const ref = bundleRef({ 'dev.json': '[1,2]', 'db/concert/schema.sql': 'CREATE TABLE t(x);', README: 'hi' });
    const bundle = await cache.materializeBundle(ref);
    expect(bundle.root).toBe(path.join(dir, 'bundles', ref.contentHash));
    expect(bundle.ref).toBe(ref);
    expect((await listTree(bundle.root)).sort()).toEqual(['README', 'db/concert/schema.sql', 'dev.json']);
    expect(await readFile(path.join(bundle.root, 'db/concert/schema.sql'), 'utf8')).toBe('CREATE TABLE t(x);');
    expect(await readFile(path.join(bundle.root, 'dev.json'), 'utf8')).toBe('[1,2]');
    expect(await listTree(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('reuses a materialised bundle without downloading again', async () => {
    const ref = bundleRef({ 'a.txt': 'A', 'b/c.txt': 'C' });
    const first = await cache.materializeBundle(ref);
    const before = platform.requests.length;
    const fresh = new ContentCache(new PlatformClient(platform.url, platform.token), dir);
    const second = await fresh.materializeBundle(ref);
    expect(second.root).toBe(first.root);
    expect(platform.requests.length).toBe(before);
  });

  it('shares identical files between bundles through the blob store', async () => {
    await cache.materializeBundle(bundleRef({ 'x.txt': 'same' }));
    await cache.materializeBundle(bundleRef({ 'y/x.txt': 'same', 'z.txt': 'other' }));
    expect(platform.count(`GET /api/blobs/${sha256('same')}`)).toBe(1);
  });

  it.each([
    ['../escape.txt', 'contains ".."'],
    ['a/../../escape.txt', 'contains ".."'],
    ['/etc/passwd', 'is absolute'],
    ['C:\\evil.txt', 'is absolute'],
  ])('rejects the file path %s and builds nothing', async (bad, why) => {
    const ref = bundleRef({ 'ok.txt': 'fine' });
    const evil = { ...ref, files: [...ref.files, { path: bad, sha256: sha256('fine'), size: 4 }] };
    await expect(cache.materializeBundle(evil)).rejects.toThrow(`dataset tiny@2: file path "${bad}" ${why}`);
    expect(await listTree(path.join(dir, 'bundles'))).toEqual([]);
  });

  it('never leaves a half-built bundle when one of its blobs is corrupt', async () => {
    const ref = bundleRef({ 'good.txt': 'good' });
    const lie = sha256('promised');
    platform.addBlob('delivered', lie);
    const broken = { ...ref, files: [...ref.files, { path: 'bad.txt', sha256: lie, size: 8 }] };
    await expect(cache.materializeBundle(broken)).rejects.toThrow('refusing to cache them');
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
