import { exampleResults } from '@trueboard/db';
import { intervalsOverlap, type PairedTestName, pairedTest } from '@trueboard/metrics';
import { sql } from 'drizzle-orm';
import type { Platform } from './platform';

/** Entries at the top of the board whose link to the entry above is decided by a paired test. */
export const PAIRED_TEST_TOP = 100;
/** Two adjacent entries are tied when the paired test gives p ≥ this. */
export const TIE_ALPHA = 0.05;
/** Graded scores: at most this many sign patterns, stopped after 100 as extreme (Besag–Clifford). */
const PERMUTATIONS = 10_000;
const STOP_AFTER_EXTREME = 100;
const SEED = 1;

export type TieTest = PairedTestName | 'ci-overlap';

/** How an entry compares with the entry ranked directly above it on the whole board (primary metric). */
export interface TieWithAbove {
  /** the paired test that decided, or `ci-overlap` where paired data is missing */
  test: TieTest;
  /** the paired test's two-sided p; null for interval overlap */
  p: number | null;
  /** the two are tied: p ≥ 0.05, or (fallback) their 95% intervals overlap */
  tied: boolean;
  /** examples the paired test compared */
  n?: number;
  /** exact McNemar: examples only the entry above got right, and only this one */
  onlyAbove?: number;
  onlyThis?: number;
  /** graded scores: sign patterns drawn */
  permutations?: number;
  /** why intervals decided instead of a paired test */
  fallback?: 'beyond-top' | 'no-rows' | 'not-the-ranked-metric' | 'different-examples';
}

interface Entry {
  resultId: string;
  value: number;
  /** examples the ranked value is computed over */
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
}

interface PerExample {
  /** scored examples (verdict not null) */
  count: number;
  /** digest of the sorted example ids: equal digests and counts = the same examples */
  ids: string;
  /** verdicts in example-id order */
  verdicts: number[];
}

/**
 * The link between each entry and the one above it (null for the first). Within the top 100, when
 * both have per-example results on exactly the same examples and those results are what the ranked
 * value averages, the paired test alone decides (exact McNemar for 0/1 verdicts, a seeded sign-flip
 * permutation test for graded scores); otherwise, and below the top 100, overlap of the 95% intervals.
 * One query, over the top entries' verdicts.
 */
export async function tiesWithAbove(p: Platform, entries: Entry[]): Promise<(TieWithAbove | null)[]> {
  const top = entries.slice(0, PAIRED_TEST_TOP);
  // per entry, its index scan in example-id order (no sort of all the rows together)
  const rows =
    top.length > 1
      ? await p.db.execute<{ result_id: string; count: number; ids: string | null; verdicts: number[] | null }>(sql`
          select r.id as result_id, x.count, x.ids, x.verdicts
          from unnest(array[${sql.join(
            top.map((e) => sql`${e.resultId}`),
            sql`, `,
          )}]::uuid[]) r(id)
          cross join lateral (
            select count(*)::int as count,
                   md5(array_agg(e.example_id order by e.example_id)::text) as ids,
                   array_agg(e.verdict::float8 order by e.example_id) as verdicts
            from ${exampleResults} e
            where e.result_id = r.id and e.verdict is not null
          ) x`)
      : [];
  const byResult = new Map<string, PerExample>();
  for (const r of rows) {
    if (r.count > 0 && r.ids && r.verdicts)
      byResult.set(r.result_id, { count: r.count, ids: r.ids, verdicts: r.verdicts });
  }
  const usable = top.map((e): PerExample | 'no-rows' | 'not-the-ranked-metric' => {
    const r = byResult.get(e.resultId);
    if (!r) return 'no-rows';
    return r.count === e.n && averagesTo(r.verdicts, e.value) ? r : 'not-the-ranked-metric';
  });

  const out: (TieWithAbove | null)[] = [null];
  for (let i = 1; i < entries.length; i++) {
    const [prev, e] = [entries[i - 1], entries[i]];
    if (!prev || !e) break;
    const overlap = (fallback: TieWithAbove['fallback']): TieWithAbove => ({
      test: 'ci-overlap',
      p: null,
      tied: intervalsOverlap(prev, e),
      fallback,
    });
    const [a, b] = [usable[i - 1], usable[i]];
    if (i >= top.length) out.push(overlap('beyond-top'));
    else if (typeof a === 'string' || typeof b === 'string' || !a || !b) {
      out.push(overlap(a === 'no-rows' || b === 'no-rows' ? 'no-rows' : 'not-the-ranked-metric'));
    } else if (a.count !== b.count || a.ids !== b.ids) out.push(overlap('different-examples'));
    else {
      const t = pairedTest(a.verdicts, b.verdicts, {
        seed: SEED,
        permutations: PERMUTATIONS,
        stopAfterExtreme: STOP_AFTER_EXTREME,
      });
      out.push({
        test: t.test,
        p: t.pValue,
        tied: t.pValue >= TIE_ALPHA,
        n: t.n,
        ...(t.onlyA === undefined ? {} : { onlyAbove: t.onlyA, onlyThis: t.onlyB }),
        ...(t.permutations === undefined ? {} : { permutations: t.permutations }),
      });
      // a permutation test takes up to a few ms: let other requests in between
      if (t.permutations !== undefined) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return out;
}

/**
 * The per-example values are the ones the ranked value averages (as a share or a percentage): only
 * then does a paired test on them test the difference the board ranks by. Verdicts are stored as
 * float4, hence the tolerance.
 */
function averagesTo(verdicts: number[], value: number): boolean {
  if (!verdicts.length) return false;
  let sum = 0;
  for (const v of verdicts) sum += v;
  const m = sum / verdicts.length;
  const tol = 1e-5 * Math.max(1, Math.abs(value));
  return Math.abs(m - value) <= tol || Math.abs(100 * m - value) <= tol;
}
