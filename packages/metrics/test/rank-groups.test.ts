import { describe, expect, it } from 'vitest';
import { rankGroups } from '../src/rank-groups';

const e = (value: number, ciLow: number | null = null, ciHigh: number | null = null) => ({ value, ciLow, ciHigh });

describe('rankGroups', () => {
  it('chains overlapping intervals into groups and separates disjoint ones', () => {
    // A [78,82] overlaps B [75,79]; B overlaps C [70,76]; D [60,65] overlaps nothing above
    const r = rankGroups([e(80, 78, 82), e(77, 75, 79), e(73, 70, 76), e(62, 60, 65)]);
    expect(r).toEqual([
      { rank: 1, group: 1, tied: true },
      { rank: 2, group: 1, tied: true },
      { rank: 3, group: 1, tied: true },
      { rank: 4, group: 2, tied: false },
    ]);
  });

  it('gives equal values one competition rank, and intervals that only touch are tied', () => {
    const r = rankGroups([e(90, 89, 91), e(90, 89, 91), e(85, 80, 89), e(70, 60, 79.9)]);
    expect(r.map((x) => x.rank)).toEqual([1, 1, 3, 4]);
    expect(r.map((x) => x.group)).toEqual([1, 1, 1, 2]);
    expect(r.map((x) => x.tied)).toEqual([true, true, true, false]);
  });

  it('treats a missing interval as the point value', () => {
    expect(rankGroups([e(3), e(2), e(2)]).map((x) => [x.rank, x.group])).toEqual([
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
    expect(rankGroups([])).toEqual([]);
  });

  it('also joins entries a paired test cannot separate, even when their intervals do not overlap', () => {
    const sorted = [e(90, 88, 92), e(80, 78, 82), e(70, 68, 72)];
    expect(rankGroups(sorted).map((x) => x.group)).toEqual([1, 2, 3]);
    const r = rankGroups(sorted, { tiedWithPrevious: (i) => i === 2 });
    expect(r.map((x) => [x.group, x.tied])).toEqual([
      [1, false],
      [2, true],
      [2, true],
    ]);
  });

  it('lets the paired test alone decide where it answers: overlapping intervals are separated by p < α', () => {
    // every interval overlaps the next; the paired test separates 1|2 and answers nothing for 3 (no paired data)
    const sorted = [e(80, 76, 84), e(78, 74, 82), e(77, 73, 81), e(76, 72, 80)];
    const verdicts: (boolean | undefined)[] = [undefined, false, true, undefined];
    const r = rankGroups(sorted, { tiedWithPrevious: (i) => verdicts[i] });
    expect(r.map((x) => [x.rank, x.group, x.tied])).toEqual([
      [1, 1, false],
      [2, 2, true],
      [3, 2, true],
      [4, 2, true],
    ]);
  });

  it('chains adjacent ties: a group may hold entries that are not tied with each other directly', () => {
    // A~B, B~C, C≁D, D~E, E≁F (the test between A and C is never asked: groups are chains of neighbours)
    const sorted = [e(90), e(85), e(80), e(70), e(65), e(50)];
    const links = [undefined, true, true, false, true, false];
    const r = rankGroups(sorted, { tiedWithPrevious: (i) => links[i] });
    expect(r.map((x) => x.group)).toEqual([1, 1, 1, 2, 2, 3]);
    expect(r.map((x) => x.tied)).toEqual([true, true, true, true, true, false]);
  });
});
