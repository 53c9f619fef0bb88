import { describe, expect, it } from 'vitest';
import { CrossEncoder, mergeReranked, rerankQueries } from '../src/cross-encoder';
import { modelDirs } from './cross-encoder-fixture';

const strictlyDecreasing = (scores: number[]) => scores.every((s, i) => i === 0 || s < (scores[i - 1] ?? Number.NaN));

describe('mergeReranked', () => {
  it('puts re-ranked documents first by logit, the rest after in first-stage order, scores agreeing', () => {
    const ranked = mergeReranked(['a', 'b', 'c', 'd', 'e'], [0.5, 2, 0.5]);
    expect(ranked.map((r) => r.docId)).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(ranked.slice(0, 2).map((r) => r.score)).toEqual([2, 0.5]);
    // c ties with a: one float64 step lower keeps the order for readers that sort by score
    expect(ranked[2]?.score).toBeLessThan(0.5);
    expect(ranked[2]?.score).toBeGreaterThan(0.5 - 1e-12);
    // beyond the depth: below the lowest logit, one apart, in first-stage order
    expect(ranked[3]?.score).toBe((ranked[2]?.score ?? 0) - 1);
    expect(ranked[4]?.score).toBe((ranked[2]?.score ?? 0) - 2);
    expect(strictlyDecreasing(ranked.map((r) => r.score))).toBe(true);
  });

  it('keeps a huge negative logit distinct from the scores below it', () => {
    const ranked = mergeReranked(['a', 'b', 'c'], [-3e20]);
    expect(strictlyDecreasing(ranked.map((r) => r.score))).toBe(true);
  });

  it('writes decreasing scores in first-stage order at depth 0', () => {
    const ranked = mergeReranked(['x', 'y'], []);
    expect(ranked).toEqual([
      { docId: 'x', score: -1 },
      { docId: 'y', score: -2 },
    ]);
  });
});

describe('rerankQueries with the test cross-encoder', () => {
  it('re-ranks the top depth of each query and keeps the rest below in first-stage order', async () => {
    const newModel = await modelDirs();
    const ce = await CrossEncoder.open(await newModel(), { device: 'cpu' });
    try {
      const candidates = [
        { docId: 'd1', text: 'The stock market fell sharply on Tuesday.' },
        { docId: 'd2', text: 'Rickets in children follows vitamin D deficiency.' },
        { docId: 'd3', text: 'Vitamin D deficiency causes rickets.' },
        { docId: 'd4', text: 'Rickets rickets vitamin deficiency.' },
      ];
      const queries = [
        { queryId: 'q1', text: 'vitamin d deficiency causes rickets', candidates },
        { queryId: 'q2', text: 'stock market crash', candidates: candidates.slice(0, 3) },
      ];
      const { ranked, stats } = await rerankQueries(ce, queries, 2);
      expect(stats.pairs).toBe(4);
      const expected = await ce.score([
        { query: queries[0]?.text ?? '', passage: candidates[0]?.text ?? '' },
        { query: queries[0]?.text ?? '', passage: candidates[1]?.text ?? '' },
        { query: queries[1]?.text ?? '', passage: candidates[0]?.text ?? '' },
        { query: queries[1]?.text ?? '', passage: candidates[1]?.text ?? '' },
      ]);
      const [s0, s1, s2, s3] = Array.from(expected.scores);
      // q1: d2 shares the query's words, d1 does not; d3 and d4 are beyond the depth
      expect(s1).toBeGreaterThan(s0 ?? 0);
      expect(ranked.get('q1')).toEqual([
        { docId: 'd2', score: s1 },
        { docId: 'd1', score: s0 },
        { docId: 'd3', score: (s0 ?? 0) - 1 },
        { docId: 'd4', score: (s0 ?? 0) - 2 },
      ]);
      expect(s2).toBeGreaterThan(s3 ?? 0);
      expect(ranked.get('q2')?.map((r) => r.docId)).toEqual(['d1', 'd2', 'd3']);
      expect(
        ranked
          .get('q2')
          ?.slice(0, 2)
          .map((r) => r.score),
      ).toEqual([s2, s3]);
    } finally {
      await ce.release();
    }
  });
});
