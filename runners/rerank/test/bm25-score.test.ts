import { describe, expect, it } from 'vitest';
import { bm25Config, buildBm25Index, luceneLength, searchBm25 } from '../src/bm25/index';

describe('BM25 scoring (Lucene formula, k1 = 0.9, b = 0.4)', () => {
  // Tiny corpus worked by hand. Terms after analysis: d1 = [cat, cat, dog] (3), d2 = [cat, fish] (2),
  // d3 = [bird] (1). N = 3, avgdl = 6 / 3 = 2; all lengths < 24, so Lucene stores them exactly.
  const index = buildBm25Index([
    { id: 'd1', title: 'Cats', text: 'the cat dog' },
    { id: 'd2', text: 'a cat and fish' },
    { id: 'd3', title: 'Birds', text: '' },
  ]);

  it('computes idf and length normalization by hand', () => {
    // cat: df = 2, idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6) = 0.47000362924573563
    // d1: tf = 2, dl = 3: tf / (tf + k1 (1 - b + b dl/avgdl)) = 2 / (2 + 0.9 · (0.6 + 0.6)) = 2 / 3.08
    //     score = 0.47000362924573563 · 0.6493506493506493 = 0.30519716184788026
    // d2: tf = 1, dl = 2: 1 / (1 + 0.9 · 1.0) = 1 / 1.9 → score = 0.24737033118196614
    const hits = searchBm25(index, 'cats', 10);
    expect(hits.map((h) => h.docid)).toEqual(['d1', 'd2']);
    expect(hits[0]?.score).toBeCloseTo(0.30519716184788026, 14);
    expect(hits[1]?.score).toBeCloseTo(0.24737033118196614, 14);
    // bird: df = 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3) = 0.9808292530117262; d3: tf = 1, dl = 1:
    // 1 / (1 + 0.9 · (0.6 + 0.2)) = 1 / 1.72 → 0.5702495657044919, which now outranks d1's cat
    const both = searchBm25(index, 'cat bird', 10);
    expect(both.map((h) => [h.docid, h.score])).toEqual([
      ['d3', expect.closeTo(0.5702495657044919, 14)],
      ['d1', expect.closeTo(0.30519716184788026, 14)],
      ['d2', expect.closeTo(0.24737033118196614, 14)],
    ]);
  });

  it('counts a repeated query term once per occurrence and ignores unknown terms', () => {
    const hits = searchBm25(index, 'cat cat zebra', 1);
    expect(hits).toEqual([{ docid: 'd1', score: expect.closeTo(2 * 0.30519716184788026, 14) }]);
    expect(searchBm25(index, 'zebra the', 5)).toEqual([]);
  });

  it("scores with Lucene's one-byte lengths: 100 and 96 terms are the same length to BM25", () => {
    // SmallFloat.intToByte4: 100 - 24 = 76 = 0b1001100 keeps its top 4 bits 1001 → 72, + 24 = 96
    expect([23, 24, 96, 100, 103, 104, 1000].map(luceneLength)).toEqual([23, 24, 96, 96, 96, 104, 984]);
    const padded = buildBm25Index([
      { id: 'a', text: `needle ${'hay '.repeat(99)}` },
      { id: 'b', text: `needle ${'hay '.repeat(95)}` },
      { id: 'c', text: 'straw' },
    ]);
    const [a, b] = searchBm25(padded, 'needle', 2);
    expect(a?.score).toBe(b?.score);
  });

  it('breaks score ties by docid descending as bytes, as trec_eval does', () => {
    const tied = buildBm25Index(
      ['10', '9', 'b', 'a', 'é', 'Ａ', '😀']
        .map((id) => ({ id, text: 'same words' }))
        .concat([{ id: 'x', text: 'other' }]),
    );
    // UTF-8 bytes: "😀" (F0 9F 98 80) > "Ａ" (EF BC A1) > "é" (C3 A9) > "b" > "a" > "9" > "10". JavaScript's
    // string order (UTF-16 units) would put "Ａ" (FF21) above "😀" (surrogate D83D): bytes decide here.
    expect(searchBm25(tied, 'same', 10).map((h) => h.docid)).toEqual(['😀', 'Ａ', 'é', 'b', 'a', '9', '10']);
  });

  it('rejects bad settings and documents with actionable messages', () => {
    expect(() => bm25Config({ b: 1.5 })).toThrow('bm25: b must be a number in [0, 1], got 1.5');
    expect(() => bm25Config({ k1: Number.NaN })).toThrow('bm25: k1 must be a finite number ≥ 0, got NaN');
    expect(() =>
      buildBm25Index([
        { id: 'a', text: 'x' },
        { id: 'a', text: 'y' },
      ]),
    ).toThrow('bm25: duplicate document id "a"');
    expect(() => buildBm25Index([{ id: 'a b', text: 'x' }])).toThrow('"id" must not contain whitespace');
    expect(() => searchBm25(index, 'cat', 0)).toThrow('bm25: k must be a positive integer, got 0');
  });

  it('records variant, k1, b and the analyzer for provenance', () => {
    expect(index.config).toMatchObject({
      variant: 'flat',
      k1: 0.9,
      b: 0.4,
      fields: ['title', 'text'],
      analyzer: { name: 'lucene-english' },
    });
    expect(buildBm25Index([], { k1: 1.2, b: 0.75 }).config).toMatchObject({ k1: 1.2, b: 0.75 });
  });
});
