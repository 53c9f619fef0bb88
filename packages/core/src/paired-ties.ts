import { exampleResults } from '@trueboard/db';
import { pairedPermutationTest } from '@trueboard/metrics';
import { inArray } from 'drizzle-orm';
import type { Platform } from './platform';

/** Entries near the top whose separation from the entry above is checked by a paired test. */
const PAIRED_TEST_TOP = 100;
const PAIRED_ALPHA = 0.05;

/**
 * For adjacent entries whose 95% intervals do not overlap (within the top of the board), a paired
 * sign-flip permutation test on their per-example verdicts (examples both scored): p ≥ 0.05 means
 * they are not significantly different, so they share a tie group too. One query for the verdicts.
 */
export async function pairedTies(
  p: Platform,
  entries: { resultId: string; value: number; ciLow: number | null; ciHigh: number | null }[],
): Promise<(i: number) => boolean> {
  const top = entries.slice(0, PAIRED_TEST_TOP);
  const boundaries = top.flatMap((e, i) => {
    const prev = top[i - 1];
    if (!prev) return [];
    const overlap =
      (prev.ciLow ?? prev.value) <= (e.ciHigh ?? e.value) && (e.ciLow ?? e.value) <= (prev.ciHigh ?? prev.value);
    return overlap ? [] : [i];
  });
  if (!boundaries.length) return () => false;
  const ids = [...new Set(boundaries.flatMap((i) => [top[i - 1]?.resultId ?? '', top[i]?.resultId ?? '']))];
  const rows = await p.db
    .select({ resultId: exampleResults.resultId, exampleId: exampleResults.exampleId, verdict: exampleResults.verdict })
    .from(exampleResults)
    .where(inArray(exampleResults.resultId, ids));
  const byResult = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.verdict === null) continue;
    const m = byResult.get(r.resultId) ?? new Map<string, number>();
    m.set(r.exampleId, r.verdict);
    byResult.set(r.resultId, m);
  }
  const tied = new Set<number>();
  for (const i of boundaries) {
    const a = byResult.get(top[i - 1]?.resultId ?? '');
    const b = byResult.get(top[i]?.resultId ?? '');
    if (!a || !b) continue;
    const x: number[] = [];
    const y: number[] = [];
    for (const [id, v] of a) {
      const w = b.get(id);
      if (w === undefined) continue;
      x.push(v);
      y.push(w);
    }
    if (x.length < 2) continue;
    if (pairedPermutationTest(x, y, { permutations: 2000, seed: 1 }).pValue >= PAIRED_ALPHA) tied.add(i);
  }
  return (i) => tied.has(i);
}
