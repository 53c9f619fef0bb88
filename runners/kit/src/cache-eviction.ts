import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** What the cache holds: verified blobs, unpacked archives (trees) and materialised dataset bundles. */
export type EntryKind = 'blob' | 'tree' | 'bundle';

/** An entry's key, e.g. `tree/<sha256>`: what pins and the LRU order speak of. */
export type EntryKey = `${EntryKind}/${string}`;

export interface CacheEntry {
  key: EntryKey;
  path: string;
  /** when it was last used (its mtime, which the cache sets on every use) */
  lastUsedMs: number;
  /** the files it holds as `dev:ino` → bytes: bundles hardlink blobs, and shared bytes count once */
  inodes: Map<string, number>;
}

/**
 * Reads every entry of a cache directory with its files. Entries that vanish while being read (another
 * runner evicting them) are skipped.
 */
export async function scanEntries(dir: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  for (const shard of await list(path.join(dir, 'blobs'))) {
    for (const name of await list(path.join(dir, 'blobs', shard))) {
      const entry = await readEntry(`blob/${name}`, path.join(dir, 'blobs', shard, name));
      if (entry) out.push(entry);
    }
  }
  for (const kind of ['tree', 'bundle'] as const) {
    for (const name of await list(path.join(dir, `${kind}s`))) {
      const entry = await readEntry(`${kind}/${name}`, path.join(dir, `${kind}s`, name));
      if (entry) out.push(entry);
    }
  }
  return out;
}

/**
 * The entries to remove so that the cache holds at most `maxBytes`: least recently used first,
 * never a pinned one. Bytes are counted per file, so removing a blob that a bundle still links frees nothing until
 * the bundle goes too.
 */
export function chooseVictims(
  entries: readonly CacheEntry[],
  maxBytes: number,
  pinned: (key: EntryKey) => boolean,
): { victims: CacheEntry[]; totalBytes: number; bytesAfter: number } {
  const refs = new Map<string, { bytes: number; count: number }>();
  for (const e of entries) {
    for (const [inode, bytes] of e.inodes) {
      const r = refs.get(inode);
      if (r) r.count++;
      else refs.set(inode, { bytes, count: 1 });
    }
  }
  let total = 0;
  for (const r of refs.values()) total += r.bytes;
  const totalBytes = total;
  const order = [...entries].sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  const victims: CacheEntry[] = [];
  for (const e of order) {
    if (total <= maxBytes) break;
    if (pinned(e.key)) continue;
    victims.push(e);
    for (const inode of e.inodes.keys()) {
      const r = refs.get(inode);
      if (!r) continue;
      r.count--;
      if (r.count === 0) total -= r.bytes;
    }
  }
  return { victims, totalBytes, bytesAfter: total };
}

async function readEntry(key: EntryKey, p: string): Promise<CacheEntry | undefined> {
  const s = await lstat(p).catch(() => undefined);
  if (!s) return undefined;
  const inodes = new Map<string, number>();
  if (s.isFile()) inodes.set(`${s.dev}:${s.ino}`, s.size);
  else if (s.isDirectory()) await walk(p, inodes);
  else return undefined;
  return { key, path: p, lastUsedMs: s.mtimeMs, inodes };
}

async function walk(dir: string, inodes: Map<string, number>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, inodes);
    else if (e.isFile()) {
      const s = await lstat(p).catch(() => undefined);
      if (s) inodes.set(`${s.dev}:${s.ino}`, s.size);
    }
  }
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
