import type { DatasetBundle, Evaluator, Family } from '@trueboard/contracts';
import type { EvalStore } from '../commands/eval';
import { type EvaluatorMap, loadEvaluators } from '../evaluators';

/** Prepared datasets a resident evaluator keeps (each holds its SQL workers and gold results). */
const KEEP_DATASETS = 2;

interface Kept {
  key: string;
  /** what `describe` shows: `<dataset dir> (<evaluator>)` */
  label: string;
  evaluator: Evaluator;
  prepared: Promise<unknown>;
  /** runs using it now: it is disposed of only once none does */
  users: number;
  evicted: boolean;
}

/**
 * The resident evaluator's EvalStore: each family's evaluator loaded once, and the last
 * KEEP_DATASETS prepared datasets kept between calls. A prepared dataset is found again only for
 * the same evaluator, directory, content hash (every dataset file's sha256, computed by each call),
 * settings and assets: an edited file makes a new one, and the old one goes when it is the least
 * recently used.
 */
export class WarmStore implements EvalStore {
  private readonly loaded = new Map<Family, Promise<EvaluatorMap>>();
  private readonly kept: Kept[] = [];

  evaluators(modules: readonly string[], only: Family): Promise<EvaluatorMap> {
    // the client never sends --evaluators (place.ts); a module given anyway is loaded each time
    if (modules.length > 0) return loadEvaluators(modules, only);
    let map = this.loaded.get(only);
    if (!map) {
      map = loadEvaluators([], only);
      map.catch(() => this.loaded.delete(only));
      this.loaded.set(only, map);
    }
    return map;
  }

  async prepare(evaluator: Evaluator, bundle: DatasetBundle) {
    const key = JSON.stringify([
      evaluator.family,
      evaluator.name,
      evaluator.version,
      bundle.root,
      bundle.ref.contentHash,
      bundle.ref.evaluator,
      bundle.ref.assets ?? null,
      bundle.assets ?? null,
    ]);
    let entry = this.kept.find((k) => k.key === key);
    if (entry) this.kept.splice(this.kept.indexOf(entry), 1);
    else {
      const label = `${bundle.root} (${evaluator.name})`;
      entry = { key, label, evaluator, prepared: evaluator.prepare(bundle), users: 0, evicted: false };
      // a dataset that failed to prepare is not kept: the next call tries again
      entry.prepared.catch(() => this.drop(entry as Kept));
    }
    this.kept.push(entry);
    entry.users++;
    for (const old of this.kept.splice(0, Math.max(0, this.kept.length - KEEP_DATASETS))) {
      old.evicted = true;
      if (old.users === 0) await this.dispose(old);
    }
    const kept = entry;
    try {
      const prepared = await kept.prepared;
      let released = false;
      return {
        prepared,
        release: async () => {
          if (released) return;
          released = true;
          kept.users--;
          if (kept.evicted && kept.users === 0) await this.dispose(kept);
        },
      };
    } catch (err) {
      kept.users--;
      throw err;
    }
  }

  /** What it keeps, most recently used last: `<benchmark dir> (<evaluator>)`. */
  describe(): string[] {
    return this.kept.map((k) => k.label);
  }

  /** Disposes of every prepared dataset (the server is stopping). */
  async close(): Promise<void> {
    const all = this.kept.splice(0);
    await Promise.allSettled(all.map((k) => this.dispose(k)));
  }

  private drop(entry: Kept): void {
    const at = this.kept.indexOf(entry);
    if (at >= 0) this.kept.splice(at, 1);
  }

  private async dispose(entry: Kept): Promise<void> {
    const prepared = await entry.prepared.catch(() => undefined);
    if (prepared !== undefined) await entry.evaluator.dispose?.(prepared);
  }
}
