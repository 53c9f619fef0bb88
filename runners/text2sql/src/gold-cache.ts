import type { ExecOutcome } from './exec/index';

/**
 * Gold results are deterministic per (dataset content hash, db, gold SQL): cache them so
 * evaluating many systems on one dataset version runs each gold query once.
 */
export class GoldCache {
  private readonly map = new Map<string, Promise<ExecOutcome>>();
  hits = 0;
  misses = 0;

  constructor(readonly datasetHash: string) {}

  get(dbId: string, sql: string, run: () => Promise<ExecOutcome>): Promise<ExecOutcome> {
    const key = `${this.datasetHash}\u0000${dbId}\u0000${sql}`;
    const found = this.map.get(key);
    if (found) {
      this.hits++;
      return found;
    }
    this.misses++;
    const p = run();
    this.map.set(key, p);
    return p;
  }

  get size(): number {
    return this.map.size;
  }
}
