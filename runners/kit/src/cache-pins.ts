import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { EntryKey } from './cache-eviction';

/** How long another machine's pins on a shared cache count when nothing says it is gone. */
const FOREIGN_PIN_MS = 24 * 3600_000;

/**
 * What must not be evicted: entries a job in this process uses (counted, so two jobs may pin the same
 * entry), and those other runners sharing the directory pinned. Each process lists its pins in
 * `pins/<pid>.<host>.json`; a file whose process is gone is removed by whoever evicts next.
 */
export class Pins {
  private readonly counts = new Map<EntryKey, number>();
  private readonly file: string;
  private readonly host = hostname();
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = path.join(dir, 'pins', `${process.pid}.${this.host}.json`);
  }

  /** A group of pins taken one by one and released together: the inputs of one job. */
  lease(): CacheLease {
    return new CacheLease(this);
  }

  async add(key: EntryKey): Promise<void> {
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    if (n === 0) await this.persist();
  }

  async remove(key: EntryKey): Promise<void> {
    const n = this.counts.get(key) ?? 0;
    if (n > 1) {
      this.counts.set(key, n - 1);
      return;
    }
    this.counts.delete(key);
    await this.persist();
  }

  /** Every key pinned by this process or by another live one on the same cache directory. */
  async all(): Promise<Set<EntryKey>> {
    const keys = new Set<EntryKey>(this.counts.keys());
    const dir = path.join(this.dir, 'pins');
    for (const name of await readdir(dir).catch(() => [])) {
      const p = path.join(dir, name);
      if (p === this.file || !name.endsWith('.json')) continue;
      const pid = Number(name.slice(0, name.indexOf('.')));
      const host = name.slice(name.indexOf('.') + 1, -'.json'.length);
      const alive =
        host === this.host
          ? processAlive(pid)
          : Date.now() - ((await stat(p).catch(() => undefined))?.mtimeMs ?? 0) < FOREIGN_PIN_MS;
      if (!alive) {
        await rm(p, { force: true });
        continue;
      }
      const text = await readFile(p, 'utf8').catch(() => '[]');
      let listed: unknown;
      try {
        listed = JSON.parse(text);
      } catch (e) {
        // what it pins is unknown: evicting nothing is the safe answer
        throw new Error(`pin file ${p} is not a JSON list (${e instanceof Error ? e.message : e})`);
      }
      if (Array.isArray(listed)) for (const k of listed) if (typeof k === 'string') keys.add(k as EntryKey);
    }
    return keys;
  }

  /** Rewrites this process's pin file (atomically), one write at a time. */
  private persist(): Promise<void> {
    const write = async () => {
      if (this.counts.size === 0) return rm(this.file, { force: true });
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${randomUUID()}.tmp`;
      await writeFile(tmp, JSON.stringify([...this.counts.keys()]));
      await rename(tmp, this.file);
    };
    this.persisting = this.persisting.then(write, write);
    return this.persisting;
  }
}

/** Pins held for one job; release() lets the cache evict them again. */
export class CacheLease {
  private readonly keys = new Set<EntryKey>();

  constructor(private readonly pins: Pins) {}

  async add(key: EntryKey): Promise<void> {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    await this.pins.add(key);
  }

  async release(): Promise<void> {
    const keys = [...this.keys];
    this.keys.clear();
    for (const k of keys) await this.pins.remove(k);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
