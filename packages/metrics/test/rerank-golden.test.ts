import { describe, expect, it } from 'vitest';
import { evaluateRerank, type RerankEvaluation } from '../src/rerank-eval';
import { parseRerankMeasure } from '../src/rerank-measures';
import { qrelsFromEntries, runFromEntries } from '../src/trec-data';

/*
 * Hand-worked cases, derived from trec_eval 9.0.8's C code (form_res_rels.c, m_*.c), not from our output.
 *
 * q1 qrels: A=2, B=1, C=0, D=-1 (pooled, unjudged), E=1 (never retrieved).
 * q1 run:   A 1.0, B 2.0, C 2.0, D 3.0, X 2.0 (X is not in the qrels).
 *   ranking: D (3.0); then the tie at 2.0 by docid descending: X, C, B; then A (1.0)
 *   ranks:   1 D unjudged, 2 X nonpool, 3 C label 0, 4 B label 1, 5 A label 2.
 * q10 qrels: K=1; run: K 5.0 → everything 1, P.5 = 1/5. ("q10" sorts before "q2", as in trec_eval.)
 * q2 qrels: F=0, G=-1 (no relevant document); run: F, G, H → everything 0.
 * q3 qrels: I=1; missing from the run → 0, and counted only when averaging over all qrels queries.
 * q4 run only: ignored.
 */
const qrels = qrelsFromEntries([
  { qid: 'q1', docid: 'A', label: 2 },
  { qid: 'q1', docid: 'B', label: 1 },
  { qid: 'q1', docid: 'C', label: 0 },
  { qid: 'q1', docid: 'D', label: -1 },
  { qid: 'q1', docid: 'E', label: 1 },
  { qid: 'q10', docid: 'K', label: 1 },
  { qid: 'q2', docid: 'F', label: 0 },
  { qid: 'q2', docid: 'G', label: -1 },
  { qid: 'q3', docid: 'I', label: 1 },
]);
const run = runFromEntries([
  { qid: 'q1', docid: 'A', score: 1 },
  { qid: 'q1', docid: 'B', score: 2 },
  { qid: 'q1', docid: 'C', score: 2 },
  { qid: 'q1', docid: 'D', score: 3 },
  { qid: 'q1', docid: 'X', score: 2 },
  { qid: 'q10', docid: 'K', score: 5 },
  { qid: 'q2', docid: 'F', score: 1 },
  { qid: 'q2', docid: 'G', score: 0.5 },
  { qid: 'q2', docid: 'H', score: 0.7 },
  { qid: 'q4', docid: 'J', score: 1 },
]);

function perQuery(e: RerankEvaluation, measure: string): Record<string, number> {
  const m = e.measures.find((x) => x.name === measure);
  if (!m) throw new Error(`no ${measure}`);
  return Object.fromEntries(e.queries.map((q, i) => [q, m.perQuery[i] ?? Number.NaN]));
}

function mean(e: RerankEvaluation, measure: string): number {
  return e.measures.find((x) => x.name === measure)?.mean ?? Number.NaN;
}

const ALL = ['ndcg_cut.5', 'ndcg_cut.3', 'map', 'recip_rank', 'P.5', 'P.3', 'P.10', 'recall.4', 'recall.5'];
const MORE = ['success.3', 'success.4', 'recip_rank@3', 'recip_rank@4', 'map@4'];

describe('evaluateRerank golden cases', () => {
  const runQrels = evaluateRerank(run, qrels, { measures: [...ALL, ...MORE], averaging: 'run∩qrels' });
  const complete = evaluateRerank(run, qrels, { measures: [...ALL, ...MORE], averaging: 'all-qrels' });

  it('orders and selects queries as trec_eval does', () => {
    expect(runQrels.queries).toEqual(['q1', 'q10', 'q2']);
    expect(complete.queries).toEqual(['q1', 'q10', 'q2', 'q3']);
    expect(complete.inRun).toEqual([true, true, true, false]);
    expect(runQrels.runOnlyQueries).toEqual(['q4']);
  });

  it('breaks ties by docid descending and ignores -l for nDCG', () => {
    // DCG@5 = 1/log2(5) (B at rank 4) + 2/log2(6) (A at rank 5); the ideal vector is 2, 1, 1 (A, B and the
    // unretrieved E): 2/log2(2) + 1/log2(3) + 1/log2(4).
    const ndcg5 = (1 / Math.log2(5) + 2 / Math.log2(6)) / (2 + 1 / Math.log2(3) + 1 / 2);
    expect(perQuery(runQrels, 'ndcg_cut.5').q1).toBeCloseTo(ndcg5, 12);
    expect(perQuery(runQrels, 'ndcg_cut.3').q1).toBe(0); // ranks 1-3 are D, X, C: no gain
    const l2 = evaluateRerank(run, qrels, {
      measures: ['ndcg_cut.5', 'map'],
      averaging: 'run∩qrels',
      relevanceLevel: 2,
    });
    expect(perQuery(l2, 'ndcg_cut.5').q1).toBeCloseTo(ndcg5, 12);
    expect(l2.measures[0]?.relevanceLevel).toBeNull();
    expect(l2.measures[1]?.relevanceLevel).toBe(2);
  });

  it('computes the threshold measures at -l 1', () => {
    const q1 = (m: string) => perQuery(runQrels, m).q1;
    expect(q1('map')).toBeCloseTo((1 / 4 + 2 / 5) / 3, 12); // B at 4, A at 5; 3 relevant judged (A, B, E)
    expect(q1('recip_rank')).toBe(1 / 4);
    expect(q1('P.5')).toBe(2 / 5);
    expect(q1('P.3')).toBe(0);
    expect(q1('P.10')).toBe(2 / 10); // P divides by the cutoff even past the end of the run
    expect(q1('recall.4')).toBe(1 / 3);
    expect(q1('recall.5')).toBe(2 / 3);
    expect(q1('success.3')).toBe(0);
    expect(q1('success.4')).toBe(1);
  });

  it('truncates the run first for @depth (trec_eval -M)', () => {
    expect(perQuery(runQrels, 'recip_rank@3').q1).toBe(0);
    expect(perQuery(runQrels, 'recip_rank@4').q1).toBe(1 / 4);
    expect(perQuery(runQrels, 'map@4').q1).toBeCloseTo(1 / 4 / 3, 12); // A (rank 5) is cut; num_rel stays 3
  });

  it('scores a query without relevant documents 0, and a perfect one 1', () => {
    for (const m of [...ALL, ...MORE]) expect(perQuery(runQrels, m).q2).toBe(0);
    const q10 = (m: string) => perQuery(runQrels, m).q10;
    for (const m of ['ndcg_cut.5', 'map', 'recip_rank', 'recall.5', 'success.3']) expect(q10(m)).toBe(1);
    expect(q10('P.5')).toBe(1 / 5);
  });

  it('averages over run∩qrels or over all qrels queries, and records which', () => {
    const mapQ1 = (1 / 4 + 2 / 5) / 3;
    expect(mean(runQrels, 'map')).toBeCloseTo((mapQ1 + 1 + 0) / 3, 12);
    expect(mean(complete, 'map')).toBeCloseTo((mapQ1 + 1 + 0 + 0) / 4, 12);
    expect(perQuery(complete, 'map').q3).toBe(0);
    const m = complete.measures.find((x) => x.name === 'map');
    expect(m).toMatchObject({ averaging: 'all-qrels', relevanceLevel: 1, queryCount: 4 });
    expect(runQrels.measures[0]).toMatchObject({ averaging: 'run∩qrels', queryCount: 3 });
  });

  it('applies -l 2 and -l 0 to every measure but nDCG', () => {
    const l2 = evaluateRerank(run, qrels, {
      measures: ['map', 'recip_rank', 'P.5', 'recall.5'],
      averaging: 'run∩qrels',
      relevanceLevel: 2,
    });
    // only A (label 2, rank 5) is relevant: num_rel = 1
    expect(perQuery(l2, 'map').q1).toBe(1 / 5);
    expect(perQuery(l2, 'recip_rank').q1).toBe(1 / 5);
    expect(perQuery(l2, 'P.5').q1).toBe(1 / 5);
    expect(perQuery(l2, 'recall.5').q1).toBe(1);
    expect(perQuery(l2, 'map').q10).toBe(0); // K has label 1
    const l0 = evaluateRerank(run, qrels, {
      measures: ['map', 'recip_rank'],
      averaging: 'run∩qrels',
      relevanceLevel: 0,
    });
    // label-0 C (rank 3) now counts; num_rel = 4 (A, B, C, E); D (-1) and X (unjudged) still do not
    expect(perQuery(l0, 'map').q1).toBeCloseTo((1 / 3 + 2 / 4 + 3 / 5) / 4, 12);
    expect(perQuery(l0, 'recip_rank').q1).toBe(1 / 3);
    // q2: F (label 0, rank 1) relevant at -l 0; num_rel = 1 (G is -1)
    expect(perQuery(l0, 'map').q2).toBe(1);
  });

  it('compares docids as UTF-8 bytes, not as JS strings', () => {
    // U+FF21 is EF BC A1 in UTF-8 and U+1F600 is F0 9F 98 80: bytes put the emoji higher, so it ranks first
    // on a tie; UTF-16 order (0xFF21 > 0xD83D) would put it second.
    const e = evaluateRerank(
      runFromEntries([
        { qid: '1', docid: '\uFF21', score: 1 },
        { qid: '1', docid: '\u{1F600}', score: 1 },
      ]),
      qrelsFromEntries([{ qid: '1', docid: '\u{1F600}', label: 1 }]),
      { measures: ['recip_rank'], averaging: 'run∩qrels' },
    );
    expect(e.measures[0]?.perQuery[0]).toBe(1);
  });
});

describe('evaluateRerank errors', () => {
  const opts = { measures: ['map'], averaging: 'all-qrels' } as const;
  it('rejects duplicate documents in a run query and in the qrels, naming query and docid', () => {
    const dup = runFromEntries([
      { qid: 'q1', docid: 'A', score: 1 },
      { qid: 'q1', docid: 'A', score: 2 },
    ]);
    expect(() => evaluateRerank(dup, qrels, opts)).toThrow("run: query 'q1' retrieves document 'A' twice");
    const dupQrels = qrelsFromEntries([
      { qid: 'q9', docid: 'Z', label: 1 },
      { qid: 'q9', docid: 'Z', label: 0 },
      { qid: 'q1', docid: 'A', label: 1 },
    ]);
    expect(() => evaluateRerank(run, dupQrels, opts)).toThrow("qrels: query 'q9' judges document 'Z' more than once");
  });

  it('rejects NaN and infinite scores, naming query and docid', () => {
    for (const score of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const bad = runFromEntries([{ qid: 'q1', docid: 'B', score }]);
      expect(() => evaluateRerank(bad, qrels, opts)).toThrow(`run: query 'q1' document 'B' has score ${score}`);
    }
  });

  it('rejects a run sharing no query with the qrels, a bad level and unknown measures', () => {
    const other = runFromEntries([{ qid: 'zz', docid: 'A', score: 1 }]);
    expect(() => evaluateRerank(other, qrels, opts)).toThrow(/no query is in both the run \(1 queries\)/);
    expect(() => evaluateRerank(run, qrels, { ...opts, relevanceLevel: -1 })).toThrow(/relevanceLevel must be/);
    expect(() => parseRerankMeasure('ndcg')).toThrow(/unknown measure 'ndcg'/);
    expect(() => parseRerankMeasure('P')).toThrow("measure 'P' needs a cutoff, e.g. 'P.10'");
    expect(() => parseRerankMeasure('map.5')).toThrow(/takes no cutoff/);
    expect(() => parseRerankMeasure('recip_rank@0')).toThrow(/depth '0' must be a positive integer/);
    expect(parseRerankMeasure('recip_rank@10')).toEqual({
      name: 'recip_rank@10',
      kind: 'recip_rank',
      cutoff: null,
      depth: 10,
    });
  });
});
