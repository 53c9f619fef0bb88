import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The workspace's upstream copy of BEIR SciFact (`shared/data/scifact`, the original release that
 * benchmarks/scifact was made from), or null where it is not on this machine. Tests that compare our
 * copy with the original, or read the parts we did not copy (train queries, metadata), need it; the
 * rest use benchmarks/scifact, which ships with the repository. Looked for in $TRUEBOARD_SHARED_DIR,
 * next to the repository, and at /work/shared (where a clean clone elsewhere finds it on our machines).
 */
export function sharedScifact(): string | null {
  const repo = join(import.meta.dirname, '../../..');
  const roots = [process.env.TRUEBOARD_SHARED_DIR, join(repo, '../shared'), '/work/shared'];
  for (const root of roots) {
    const dir = root ? join(root, 'data/scifact') : '';
    if (dir && existsSync(join(dir, 'corpus.jsonl'))) return dir;
  }
  process.stderr.write('shared/data/scifact not found: the comparisons with the original BEIR files are skipped\n');
  return null;
}
