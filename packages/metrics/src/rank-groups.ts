/** One leaderboard entry as the ranking sees it: its score and 95% interval (null when none). */
export interface RankInput {
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface Ranked {
  /** competition rank ("1224"): 1 + the number of entries strictly better */
  rank: number;
  /** rank group: 1 + the number of groups above; entries in one group are statistically tied */
  group: number;
  /** the group has more than one entry */
  tied: boolean;
}

/** The two 95% intervals share a point (a missing interval is the point value). */
export function intervalsOverlap(a: RankInput, b: RankInput): boolean {
  const [aLo, aHi] = [a.ciLow ?? a.value, a.ciHigh ?? a.value];
  const [bLo, bHi] = [b.ciLow ?? b.value, b.ciHigh ?? b.value];
  return aLo <= bHi && bLo <= aHi;
}

/**
 * Ranks and tie groups of entries **already sorted best first**. A group is a chain of adjacent
 * ties: an entry joins the group of the entry directly above it when the two are tied, and the
 * groups are the maximal runs of such links, so "rank 1" names everyone not distinguishable from
 * the leader's neighbour. Whether entry i is tied with entry i − 1 is `tiedWithPrevious(i)` (a paired
 * test on their per-example results) when that gives an answer, and otherwise whether their
 * intervals overlap. Equal values share a competition rank.
 */
export function rankGroups(
  sorted: readonly RankInput[],
  opts: {
    /** entry i is (true) or is not (false) tied with entry i − 1; undefined: decide by interval overlap */
    tiedWithPrevious?: (i: number) => boolean | undefined;
  } = {},
): Ranked[] {
  const out: Ranked[] = [];
  let group = 0;
  sorted.forEach((e, i) => {
    const prev = sorted[i - 1];
    const above = out[i - 1];
    if (!prev || !above || !(opts.tiedWithPrevious?.(i) ?? intervalsOverlap(prev, e))) group++;
    const rank = prev && above && prev.value === e.value ? above.rank : i + 1;
    out.push({ rank, group, tied: false });
  });
  const sizes = new Map<number, number>();
  for (const r of out) sizes.set(r.group, (sizes.get(r.group) ?? 0) + 1);
  for (const r of out) r.tied = (sizes.get(r.group) ?? 0) > 1;
  return out;
}
