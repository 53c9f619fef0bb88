import type { Leaderboard } from '@trueboard/api';

/** How a board entry compares with the entry ranked directly above it (core's TieWithAbove). */
export type Tie = NonNullable<Leaderboard['rows'][number]['tie']>;

export const TIE_TEST_LABEL: Record<Tie['test'], string> = {
  'mcnemar-exact': 'exact McNemar test',
  'sign-flip-permutation': 'paired sign-flip permutation test',
  'ci-overlap': '95% interval overlap',
};

const FALLBACK: Record<NonNullable<Tie['fallback']>, string> = {
  'beyond-top': 'paired tests run for the top 100 entries',
  'no-rows': 'no per-example results',
  'not-the-ranked-metric': 'the per-example results do not average to the ranked score',
  'different-examples': 'the two were scored on different examples',
};

/** "0.00029", "0.041", "0.50"; "<0.0001" below that. */
export function fmtP(p: number): string {
  return p < 0.0001 ? '<0.0001' : p.toPrecision(2);
}

/**
 * The tie badge's texts: `short` for the cell ("p=0.041"), `long` for its hover title and screen
 * readers (test, counts, p, verdict). `short` is null when intervals decided (there is no p).
 */
export function tieText(tie: Tie): { short: string | null; long: string } {
  const verdict = tie.tied ? 'tied with the entry above' : 'separated from the entry above';
  if (tie.p === null) {
    const why = tie.fallback ? ` (no paired test: ${FALLBACK[tie.fallback]})` : '';
    return { short: null, long: `${verdict}: 95% intervals ${tie.tied ? 'overlap' : 'apart'}${why}` };
  }
  const counts =
    tie.onlyAbove !== undefined && tie.onlyThis !== undefined
      ? `, ${tie.onlyAbove} vs ${tie.onlyThis} discordant of ${tie.n} examples`
      : tie.n !== undefined
        ? ` on ${tie.n} examples`
        : '';
  return {
    short: `p=${fmtP(tie.p)}`,
    long: `${verdict}: ${TIE_TEST_LABEL[tie.test]}${counts}, p = ${fmtP(tie.p)} ${tie.tied ? '≥' : '<'} 0.05`,
  };
}
