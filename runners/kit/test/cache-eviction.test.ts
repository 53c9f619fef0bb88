import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createApiToken } from '@trueboard/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, defaultCacheMaxBytes, PlatformClient } from '../src/index';
import { CountingSource, sha256, uploadBlob } from './blob-store';
import { type Live, livePlatform } from './live-platform';

/*
 * The cache's byte bound against the real platform's blobs: least recently used entries go first,
 * pinned ones never, and bytes shared by hardlinks count once.
 */

let live: Live;
let adminToken: string;
let dir: string;
let source: CountingSource;

beforeAll(async () => {
  live = await livePlatform();
  adminToken = (await createApiToken(live.p, live.cast.admin.actor, { name: 'eviction test' })).secret;
});
afterAll(() => live?.close());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kit-evict-'));
  source = new CountingSource(new PlatformClient(live.url, adminToken, { retries: 0 }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

let serial = 0;
/** Uploads `bytes` bytes of fresh content; returns its hash. */
async function blobOf(bytes: number): Promise<string> {
  serial++;
  const content = `${serial}:`.padEnd(bytes, 'x');
  return uploadBlob(live, adminToken, content);
}

const cached = (cache: ContentCache, hashes: string[]) => hashes.filter((h) => existsSync(cache.blobPath(h)));

describe('ContentCache byte bound', () => {
  it('evicts the least recently used entries once the bytes exceed the bound', async () => {
    const cache = new ContentCache(source, dir, { maxBytes: 250 });
    const [a, b, c] = [await blobOf(100), await blobOf(100), await blobOf(100)];
    if (!a || !b || !c) throw new Error('no blobs');
    await cache.fetchBlob(a);
    await cache.fetchBlob(b);
    await cache.fetchBlob(a); // a is now the more recently used
    expect(cached(cache, [a, b, c])).toEqual([a, b]);
    await cache.fetchBlob(c);
    expect(cached(cache, [a, b, c])).toEqual([a, c]);
    expect(source.count(a)).toBe(1);
  });

  it('counts bytes, not entries', async () => {
    const cache = new ContentCache(source, dir, { maxBytes: 1000 });
    const small = [];
    for (let i = 0; i < 6; i++) small.push(await blobOf(100));
    for (const h of small) await cache.fetchBlob(h);
    expect(cached(cache, small)).toEqual(small);
    // 600 + 600 bytes: the two oldest must go to get back to 1000
    const big = await blobOf(600);
    await cache.fetchBlob(big);
    expect(cached(cache, [...small, big])).toEqual([...small.slice(2), big]);
  });

  it('never evicts what a lease pins, and may once it is released', async () => {
    const cache = new ContentCache(source, dir, { maxBytes: 250 });
    const [a, b, c, d] = [await blobOf(100), await blobOf(100), await blobOf(100), await blobOf(100)];
    if (!a || !b || !c || !d) throw new Error('no blobs');
    const job = cache.lease();
    await cache.fetchBlob(a, undefined, job);
    await cache.fetchBlob(b);
    await cache.fetchBlob(c);
    expect(cached(cache, [a, b, c])).toEqual([a, c]);
    await job.release();
    await cache.fetchBlob(d);
    expect(cached(cache, [a, b, c, d])).toEqual([c, d]);
  });

  it('counts a blob hardlinked into a bundle once', async () => {
    const cache = new ContentCache(source, dir, { maxBytes: 150 });
    const content = 'g'.repeat(100);
    const hash = await uploadBlob(live, adminToken, content);
    const files = [{ path: 'gold.json', sha256: hash, size: 100 }];
    const ref = { benchmark: 'tiny', version: 1, contentHash: sha256(hash), files, evaluator: {} };
    const bundle = await cache.materializeBundle(ref);
    expect(existsSync(path.join(bundle.root, 'gold.json'))).toBe(true);
    expect(cached(cache, [hash])).toEqual([hash]);
    expect(await cache.evict()).toEqual([]);
  });

  it('honours the pins of another live runner on the same directory, and drops those of a dead one', async () => {
    const cache = new ContentCache(source, dir, { maxBytes: 250 });
    const [a, b, c] = [await blobOf(100), await blobOf(100), await blobOf(100)];
    if (!a || !b || !c) throw new Error('no blobs');
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    const pins = path.join(dir, 'pins');
    await mkdir(pins, { recursive: true });
    // this test's parent process is alive; the child just exited
    await writeFile(path.join(pins, `${process.ppid}.${hostname()}.json`), JSON.stringify([`blob/${a}`]));
    await writeFile(path.join(pins, `${child.pid}.${hostname()}.json`), JSON.stringify([`blob/${b}`]));
    await cache.fetchBlob(a);
    await cache.fetchBlob(b);
    await cache.fetchBlob(c);
    expect(cached(cache, [a, b, c])).toEqual([a, c]);
    expect(await readdir(pins)).toEqual([`${process.ppid}.${hostname()}.json`]);
  });

  it('warns and goes on when an eviction fails', async () => {
    const warnings: string[] = [];
    const cache = new ContentCache(source, dir, { maxBytes: 150, onWarning: (m) => warnings.push(m) });
    const pins = path.join(dir, 'pins');
    await mkdir(pins, { recursive: true });
    // a live runner's pin file that cannot be read: what it pins is unknown, so nothing is evicted
    await writeFile(path.join(pins, `${process.ppid}.${hostname()}.json`), '["blob/');
    const [a, b] = [await blobOf(100), await blobOf(100)];
    if (!a || !b) throw new Error('no blobs');
    await cache.fetchBlob(a);
    expect(await readFile(await cache.fetchBlob(b), 'utf8')).toMatch(/^\d+:x+$/);
    expect(cached(cache, [a, b])).toEqual([a, b]);
    const pinFile = path.join(pins, `${process.ppid}.${hostname()}.json`);
    expect(warnings).toEqual([
      `could not evict from ${dir}: pin file ${pinFile} is not a JSON list (Unterminated string in JSON at position 7)`,
    ]);
  });
});

describe('defaultCacheMaxBytes', () => {
  it('reads TRUEBOARD_CACHE_MAX_BYTES, else 50 GiB, and names a bad value', () => {
    expect(defaultCacheMaxBytes({ TRUEBOARD_CACHE_MAX_BYTES: '1000000' })).toBe(1_000_000);
    expect(defaultCacheMaxBytes({})).toBe(50 * 1024 ** 3);
    expect(() => defaultCacheMaxBytes({ TRUEBOARD_CACHE_MAX_BYTES: '20G' })).toThrow(
      new Error('TRUEBOARD_CACHE_MAX_BYTES must be a positive whole number of bytes, not "20G"'),
    );
  });
});
