import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationReport } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RerankRow, rerankRows } from '../src/rows';
import { FIXTURE, scoreRun, writeRun } from './evaluator-helpers';

/*
 * With candidates, every row says what the first stage did on its query and whether the submission
 * did better. The first stage is fixtures/beir-small's run.trec, worked by hand in evaluator.test.ts:
 *   q1: d3 (3, label 0), d1 (2, label 2), d4 (1, unjudged), d2 (0.5, label 1): nDCG@10 0.6433224083306327
 *   q2: d4 and d5 tie at 1.0, broken by docid descending: d5 (unjudged) then d4 (label 1): 1/log2 3
 *   q3: no candidates: 0 and an empty top ten. q4: d5, label 0: 0. q6: n1 … n10 unjudged, d1 11th: 0.
 */
const IDCG_Q1 = 2 + 1 / Math.log2(3);
const FIRST = { q1: (2 / Math.log2(3) + 1 / Math.log2(5)) / IDCG_Q1, q2: 1 / Math.log2(3), q3: 0, q4: 0, q6: 0 };

let dir: string;
const row = (r: EvaluationReport, id: string) => RerankRow.parse(r.examples.find((e) => e.id === id)?.data);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rerank-first-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("each row against the first stage's ranking", () => {
  it("carries the candidates' own nDCG@10 and top ten, and says worse, better or same", async () => {
    // q1 moves d1 (label 2) from 2nd to 3rd: worse; q2 puts d4 (label 1) first: nDCG 1, better;
    // q4 and q6 keep the candidates' order: same; q3 stays missing: 0 against 0, same
    const run = [
      'q1 Q0 d3 1 4 t',
      'q1 Q0 d4 2 3 t',
      'q1 Q0 d1 3 2 t',
      'q1 Q0 d2 4 1 t',
      'q2 Q0 d4 1 2 t',
      'q2 Q0 d5 2 1 t',
      'q4 Q0 d5 1 1 t',
      ...Array.from({ length: 10 }, (_, i) => `q6 Q0 n${i + 1} ${i + 1} ${19 - i} t`),
      'q6 Q0 d1 11 1 t',
    ].join('\n');
    const report = await scoreRun(FIXTURE, writeRun(dir, 'moves.trec', run), { candidates: 'run.trec' });
    for (const [qid, ndcg] of Object.entries(FIRST)) {
      expect(row(report, qid).first_stage?.ndcg_cut_10, qid).toBeCloseTo(ndcg, 14);
    }
    expect(row(report, 'q1').ndcg_cut_10).toBeCloseTo((2 / Math.log2(4) + 1 / Math.log2(5)) / IDCG_Q1, 14);
    expect(row(report, 'q1').change).toBe('worse');
    expect(row(report, 'q2').ndcg_cut_10).toBe(1);
    expect(row(report, 'q2').change).toBe('better');
    expect(['q3', 'q4', 'q6'].map((q) => row(report, q).change)).toEqual(['same', 'same', 'same']);
    expect(row(report, 'q1').first_stage?.top10).toEqual([
      { docid: 'd3', score: 3, label: 0 },
      { docid: 'd1', score: 2, label: 2 },
      { docid: 'd4', score: 1, label: null },
      { docid: 'd2', score: 0.5, label: 1 },
    ]);
    expect(row(report, 'q2').first_stage?.top10).toEqual([
      { docid: 'd5', score: 1, label: null },
      { docid: 'd4', score: 1, label: 1 },
    ]);
    expect(row(report, 'q3').first_stage?.top10).toEqual([]);
    // the first ten only: d1, 11th, is not shown
    expect(row(report, 'q6').first_stage?.top10.map((d) => d.docid)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${i + 1}`),
    );
  });

  it('calls a swap of two documents of equal gain "same", by exact equality', async () => {
    // q1: d3 (label 0) and d4 (unjudged) trade places: both gain 0, so nDCG@10 is the first stage's
    const run = 'q1 Q0 d4 1 4 t\nq1 Q0 d1 2 3 t\nq1 Q0 d3 3 2 t\nq1 Q0 d2 4 1 t\n';
    const report = await scoreRun(FIXTURE, writeRun(dir, 'swap.trec', run), { candidates: 'run.trec' });
    expect(row(report, 'q1').ndcg_cut_10).toBeCloseTo(FIRST.q1, 14);
    expect(row(report, 'q1').change).toBe('same');
    // q2 is missing from this run: 0 against the first stage's 0.63
    expect(row(report, 'q2').change).toBe('worse');
  });

  it('leaves both out without candidates, and offers change as a filter of the rows', async () => {
    const report = await scoreRun(FIXTURE, join(FIXTURE, 'run.trec'));
    for (const e of report.examples) {
      expect(e.data, e.id).not.toHaveProperty('first_stage');
      expect(e.data, e.id).not.toHaveProperty('change');
    }
    expect(rerankRows.facets).toEqual([{ field: 'change', label: 'nDCG@10 vs first stage' }]);
    // a stored 1.0.0 row (no first stage) still reads; a bad change does not
    const old = report.examples[0]?.data;
    expect(RerankRow.safeParse(old).success).toBe(true);
    expect(RerankRow.safeParse({ ...old, change: 'up' }).success).toBe(false);
  });
});
