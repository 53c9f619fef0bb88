import { describe, expect, it } from 'vitest';
import {
  analyze,
  type Bm25Document,
  buildBm25Index,
  feedbackTermAllowed,
  relevanceModel,
  rm3Config,
  rm3Reranker,
} from '../src/bm25/index';

// A tiny corpus worked by hand. 20 documents, so Anserini's feedback filter (df / N ≤ 0.1) admits
// terms in at most 2 documents. After analysis (checked below):
//   d1 = cat×2 dog×3 fish owl×5 x×4 (15 terms)   d2 = cat dog bird×2 frog (5)
//   d3 = cat owl hen (3)   d4 = cat owl×2 (3)   d5 = cat yak (2)   d6…d20 = one word each (1)
// df: cat 5 (0.25, filtered), owl 3 (0.15, filtered), dog 2 (0.10, kept), fish/bird/frog 1; `x` is
// one character (filtered). N = docCount = 20, total length 43, avgdl = 2.15.
const FILLER = [
  'ant',
  'bat',
  'cow',
  'elk',
  'emu',
  'gnu',
  'asp',
  'boa',
  'cod',
  'eel',
  'gar',
  'kit',
  'koi',
  'ram',
  'tern',
];
const DOCS: Bm25Document[] = [
  { id: 'd1', text: 'cat cat dog dog dog fish owl owl owl owl owl x x x x' },
  { id: 'd2', text: 'cat dog bird bird frog' },
  { id: 'd3', text: 'cat owl hen' },
  { id: 'd4', text: 'cat owl owl' },
  { id: 'd5', text: 'cat yak' },
  ...FILLER.map((w, i) => ({ id: `d${i + 6}`, text: w })),
];
const corpus = new Map(DOCS.map((d) => [d.id, d]));
const index = buildBm25Index(DOCS);

/** Lucene's BM25 by hand: ln(1 + (N − df + 0.5)/(df + 0.5)) · tf / (tf + k1 (1 − b + b dl / avgdl)). */
const bm25 = (df: number, tf: number, dl: number) =>
  Math.log(1 + (20 - df + 0.5) / (df + 0.5)) * (tf / (tf + 0.9 * (0.6 + (0.4 * dl) / 2.15)));

describe('RM3 (Anserini Rm3Reranker semantics) on a hand-worked corpus', () => {
  it('analyzes the corpus as the worked example assumes', () => {
    expect(analyze(DOCS[0]?.text ?? '')).toHaveLength(15);
    expect(DOCS.slice(5).map((d) => analyze(d.text))).toEqual(FILLER.map((w) => [w]));
    expect([index.ids.length, index.docCount, index.avgdl]).toEqual([20, 20, 43 / 20]);
  });

  it('filters feedback terms as Anserini: 2–20 chars of [a-z0-9], df / N at most 0.1', () => {
    expect(feedbackTermAllowed('dog', 2, 20)).toBe(true); // exactly 10%
    expect(feedbackTermAllowed('owl', 3, 20)).toBe(false);
    expect(feedbackTermAllowed('x', 1, 20)).toBe(false);
    expect(feedbackTermAllowed('ab', 1, 20)).toBe(true);
    expect(feedbackTermAllowed('a'.repeat(20), 1, 20)).toBe(true);
    expect(feedbackTermAllowed('a'.repeat(21), 1, 20)).toBe(false);
    expect(feedbackTermAllowed('café', 1, 20)).toBe(false);
    expect(feedbackTermAllowed('covid_19', 1, 20)).toBe(false);
  });

  it('weighs feedback terms by tf / |pruned doc| · first-stage score, prunes to fbTerms and scales to 1', () => {
    // fbTerms = 2. d1's eligible terms: dog 3, fish 1 (cat, owl too common; x too short) → norm 4.
    // d2's: bird 2, then dog 1 and frog 1 tie: byte order keeps dog → {bird 2, dog 1}, norm 3.
    // With scores 2 (d1) and 1 (d2): dog = 3/4·2 + 1/3·1 = 11/6, fish = 1/4·2 = 1/2, bird = 2/3·1 = 2/3.
    // Pruned to 2: dog, bird; sum 5/2 → dog 11/15, bird 4/15.
    const terms = (id: string) => analyze(corpus.get(id)?.text ?? '');
    const model = relevanceModel(
      [
        { terms: terms('d1'), score: 2 },
        { terms: terms('d2'), score: 1 },
      ],
      index,
      { fbTerms: 2 },
    );
    expect([...model.keys()]).toEqual(['dog', 'bird']);
    expect(model.get('dog')).toBeCloseTo(11 / 15, 14);
    expect(model.get('bird')).toBeCloseTo(4 / 15, 14);
    // the scores weigh the documents: swapped, dog = 3/4·1 + 1/3·2 = 17/12, fish = 1/4, bird = 4/3
    const swapped = relevanceModel(
      [
        { terms: terms('d1'), score: 1 },
        { terms: terms('d2'), score: 2 },
      ],
      index,
      { fbTerms: 2 },
    );
    expect(swapped.get('dog')).toBeCloseTo(17 / 12 / (17 / 12 + 4 / 3), 14);
    expect(swapped.get('bird')).toBeCloseTo(4 / 3 / (17 / 12 + 4 / 3), 14);
    // a feedback document with no eligible term adds nothing (and divides by no zero)
    const withEmpty = relevanceModel(
      [
        { terms: terms('d1'), score: 2 },
        { terms: terms('d4'), score: 5 },
        { terms: terms('d2'), score: 1 },
      ],
      index,
      { fbTerms: 2 },
    );
    expect([...withEmpty]).toEqual([...model]);
  });

  it('re-scores the candidates with 0.5 · query + 0.5 · RM1 and ranks them by the new score', () => {
    // query "cats" → {cat: 1}; feedback: the top 2 candidates by score, d1 (2) and d2 (1), as above.
    // expanded query: cat 1/2, dog 1/2 · 11/15 = 11/30, bird 1/2 · 4/15 = 2/15.
    const rm3 = rm3Reranker(index, corpus, { fbDocs: 2, fbTerms: 2 });
    const { expandedQuery, ranked } = rm3.rerank('cats', [
      { docid: 'd3', score: 0.5 },
      { docid: 'd1', score: 2 },
      { docid: 'd2', score: 1 },
    ]);
    expect([...expandedQuery.keys()]).toEqual(['cat', 'dog', 'bird']);
    expect(expandedQuery.get('cat')).toBeCloseTo(1 / 2, 14);
    expect(expandedQuery.get('dog')).toBeCloseTo(11 / 30, 14);
    expect(expandedQuery.get('bird')).toBeCloseTo(2 / 15, 14);
    const d1 = (1 / 2) * bm25(5, 2, 15) + (11 / 30) * bm25(2, 3, 15);
    const d2 = (1 / 2) * bm25(5, 1, 5) + (11 / 30) * bm25(2, 1, 5) + (2 / 15) * bm25(1, 2, 5);
    const d3 = (1 / 2) * bm25(5, 1, 3);
    // d2, with the rare "bird", now outranks d1, the first-stage leader
    expect(d2).toBeGreaterThan(d1);
    expect(ranked).toEqual([
      { docid: 'd2', score: expect.closeTo(d2, 12) },
      { docid: 'd1', score: expect.closeTo(d1, 12) },
      { docid: 'd3', score: expect.closeTo(d3, 12) },
    ]);
  });

  it('gives the original query its originalQueryWeight share and RM1 the rest', () => {
    // originalQueryWeight 0.2: dog 0.8 · 11/15 ≈ 0.587, bird 0.8 · 4/15 ≈ 0.213, cat 0.2 (in weight order)
    const rm3 = rm3Reranker(index, corpus, { fbDocs: 2, fbTerms: 2, originalQueryWeight: 0.2 });
    const { expandedQuery } = rm3.rerank('cats', [
      { docid: 'd1', score: 2 },
      { docid: 'd2', score: 1 },
    ]);
    expect([...expandedQuery]).toEqual([
      ['dog', expect.closeTo((0.8 * 11) / 15, 14)],
      ['bird', expect.closeTo((0.8 * 4) / 15, 14)],
      ['cat', expect.closeTo(0.2, 14)],
    ]);
  });

  it('takes feedback documents in trec_eval order: score descending, ties by docid descending', () => {
    // fbDocs = 1 and d1, d2 tie at 1: trec_eval ranks d2 first ("d2" > "d1"), so d2 alone is feedback
    const rm3 = rm3Reranker(index, corpus, { fbDocs: 1, fbTerms: 2 });
    const { expandedQuery } = rm3.rerank('cats', [
      { docid: 'd1', score: 1 },
      { docid: 'd2', score: 1 },
    ]);
    // d2 alone: bird 2/3, dog 1/3 → expanded: cat 1/2, bird 1/3, dog 1/6
    expect([...expandedQuery]).toEqual([
      ['cat', expect.closeTo(1 / 2, 14)],
      ['bird', expect.closeTo(1 / 3, 14)],
      ['dog', expect.closeTo(1 / 6, 14)],
    ]);
  });

  it('keeps every candidate and only them; a candidate outside the corpus is an error naming it', () => {
    const rm3 = rm3Reranker(index, corpus, { fbDocs: 1 });
    const { ranked } = rm3.rerank('yak', [
      { docid: 'd5', score: 3 },
      { docid: 'd7', score: 1 },
    ]);
    // fbDocs 1: d5 alone is feedback; d7 ("bat") matches no expanded term and stays, with score 0, below d5
    expect(ranked.map((c) => c.docid)).toEqual(['d5', 'd7']);
    expect(ranked[1]?.score).toBe(0);
    expect(rm3.rerank('cats', []).ranked).toEqual([]);
    expect(() => rm3.rerank('cats', [{ docid: 'nope', score: 1 }])).toThrow(
      'rm3: candidate "nope" is not a document of the corpus',
    );
  });

  it('defaults to Anserini fbDocs 10, fbTerms 10, originalQueryWeight 0.5 and checks its settings', () => {
    expect(rm3Config()).toMatchObject({ fbDocs: 10, fbTerms: 10, originalQueryWeight: 0.5 });
    expect(() => rm3Config({ fbDocs: 0 })).toThrow('rm3: fbDocs must be an integer ≥ 1, got 0');
    expect(() => rm3Config({ fbTerms: 2.5 })).toThrow('rm3: fbTerms must be an integer ≥ 1, got 2.5');
    expect(() => rm3Config({ originalQueryWeight: 1.5 })).toThrow(
      'rm3: originalQueryWeight must be a number in [0, 1], got 1.5',
    );
  });
});
