import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvaluationReport, SubmissionError } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RerankRow, rerankRows } from '../src/rows';
import { FIXTURE, SCIFACT, scoreRun, writeRun } from './evaluator-helpers';

// The fixture (fixtures/beir-small), worked by hand with trec_eval 9.0.8 semantics, -c, -l 1. Checked
// against the reference trec_eval: `trec_eval -c -q -m ndcg_cut.10 -m map -m recall.100` and `-M 10 -m recip_rank`.
// q1: run d3 (label 0), d1 (2), d4 (unjudged), d2 (1); qrels d1:2 d2:1 d3:0.
//     nDCG@10 = (2/log2 3 + 1/log2 5) / (2/log2 2 + 1/log2 3) = 0.6433224083306327
//     AP = (1/2 + 2/4) / 2 = 0.5; RR@10 = 1/2; R@100 = 2/2 = 1
// q2: run d4 1.0, d5 1.0 — a tie, broken by docid descending, so d5 ranks first; qrels d4:1.
//     nDCG@10 = (1/log2 3) / 1 = 0.6309297535714575; AP = 1/2; RR@10 = 1/2; R@100 = 1
// q3: judged (d6:1, d2:1) but not in the run: 0 everywhere, and it still counts (-c).
// q4: only a label-0 judgment: IDCG = 0 → nDCG 0; AP, RR, R@100 = 0.
// q5: in the run and in queries.jsonl but not judged: ignored.
// q6: ten unjudged documents, then d1 (d1:1) at rank 11: nDCG@10 = 0, RR@10 = 0 (recip_rank without
//     the cut would be 1/11), AP = (1/11)/1 = 0.0909…, R@100 = 1.
// Means over the 5 qrels queries: nDCG@10 = 0.25485043238041805, MAP = (0.5 + 0.5 + 1/11)/5 = 0.21818…,
// MRR@10 = 0.2, R@100 = 0.6.
const EXPECTED: Record<string, [number, number, number, number]> = {
  q1: [0.6433224083306327, 0.5, 0.5, 1],
  q2: [0.6309297535714575, 0.5, 0.5, 1],
  q3: [0, 0, 0, 0],
  q4: [0, 0, 0, 0],
  q6: [0, 1 / 11, 0, 1],
};

let dir: string;
let report: EvaluationReport;
const metric = (r: EvaluationReport, name: string) => r.metrics.find((m) => m.name === name);
const row = (r: EvaluationReport, id: string) => r.examples.find((e) => e.id === id);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rerank-eval-'));
  report = await scoreRun(FIXTURE, join(FIXTURE, 'run.trec'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the re-ranking evaluator on a hand-worked BEIR fixture', () => {
  it('gives each qrels query its trec_eval values, one row per qrels query', () => {
    expect(report.examples.map((e) => e.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q6']);
    for (const [qid, [ndcg, ap, rr, recall]] of Object.entries(EXPECTED)) {
      const r = row(report, qid);
      const data = RerankRow.parse(r?.data);
      expect(data.ndcg_cut_10, qid).toBeCloseTo(ndcg, 12);
      expect(r?.verdict, qid).toBeCloseTo(ndcg, 12);
      expect(data.map, qid).toBeCloseTo(ap, 12);
      expect(data.recip_rank_10, qid).toBeCloseTo(rr, 12);
      expect(data.recall_100, qid).toBeCloseTo(recall, 12);
    }
  });

  it('averages over every qrels query (-c), with semantics naming it and a seeded 95% bootstrap CI', async () => {
    const means = {
      ndcg_cut_10: 0.25485043238041805,
      map: (0.5 + 0.5 + 1 / 11) / 5,
      recip_rank_10: 0.2,
      recall_100: 0.6,
    };
    for (const [name, value] of Object.entries(means)) {
      const m = metric(report, name);
      expect(m?.value, name).toBeCloseTo(value, 12);
      expect(m?.n, name).toBe(5);
      expect(m?.semantics, name).toBe(name === 'ndcg_cut_10' ? 'trec_eval -c' : 'trec_eval -c -l 1');
      expect(m?.ci?.method).toBe('bootstrap');
      expect(m?.ci?.low ?? 1).toBeLessThanOrEqual(value);
      expect(m?.ci?.high ?? 0).toBeGreaterThanOrEqual(value);
    }
    // the interval is a function of the seed: the same seed gives the same one (SciFact below: another seed, another)
    const again = await scoreRun(FIXTURE, join(FIXTURE, 'run.trec'));
    expect(metric(again, 'ndcg_cut_10')?.ci).toEqual(metric(report, 'ndcg_cut_10')?.ci);
  });

  it('marks queries missing from the run, and the missing query lowers the mean instead of leaving it', async () => {
    const q3 = row(report, 'q3');
    expect(q3?.data.missing_from_run).toBe(true);
    expect(q3?.reason).toMatch(/not in the run/);
    expect(row(report, 'q1')?.data.missing_from_run).toBe(false);
    // without q1 in the run, the mean is still over 5 queries: q2's value alone over 5
    const run = readFileSync(join(FIXTURE, 'run.trec'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('q1 '))
      .join('\n');
    const without = await scoreRun(FIXTURE, writeRun(dir, 'no-q1.trec', run));
    expect(metric(without, 'ndcg_cut_10')?.value).toBeCloseTo(0.6309297535714575 / 5, 12);
    expect(metric(without, 'ndcg_cut_10')?.n).toBe(5);
  });

  it("keeps each query's top ten in trec_eval's order with the qrels labels, and flags queries with no relevant document", () => {
    expect(row(report, 'q1')?.data.top10).toEqual([
      { docid: 'd3', score: 3, label: 0 },
      { docid: 'd1', score: 2, label: 2 },
      { docid: 'd4', score: 1, label: null },
      { docid: 'd2', score: 0.5, label: 1 },
    ]);
    expect(RerankRow.parse(row(report, 'q2')?.data).top10.map((d) => d.docid)).toEqual(['d5', 'd4']);
    expect(row(report, 'q6')?.data.top10).toHaveLength(10);
    expect(row(report, 'q1')?.data.query).toBe('what is one');
    const triage = (id: string) => {
      const r = row(report, id);
      return rerankRows.triage({ verdict: r?.verdict ?? null, reason: r?.reason ?? null, data: r?.data ?? {} });
    };
    expect(triage('q4').goldEmpty).toMatch(/no document of this query relevant/);
    expect(triage('q3')).toEqual({});
  });
});

describe('bad submissions', () => {
  const rejects = async (name: string, text: string, message: RegExp, options: Record<string, unknown> = {}) => {
    const err = await scoreRun(FIXTURE, writeRun(dir, name, text), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmissionError);
    expect((err as Error).message).toMatch(message);
  };

  it('names the line of a malformed line or a score that is not a finite number', async () => {
    await rejects(
      'cols.trec',
      'q1 Q0 d1 1 2.0 t\nq1 Q0 d2 2 1.0 t\nq2 Q0 d4 1 t\n',
      /^cols\.trec line 3: expected 6 columns/,
    );
    await rejects(
      'nan.trec',
      'q1 Q0 d1 1 2.0 t\n\nq2 Q0 d4 1 NaN t\n',
      /^nan\.trec line 3: query 'q2' document 'd4': score 'NaN' is not finite/,
    );
    await rejects('word.trec', 'q1 Q0 d1 1 high t\n', /^word\.trec line 1: .*score 'high' is not a number/);
  });

  it('names the line, query and document of an unknown query or a document ranked twice', async () => {
    await rejects(
      'unknown.trec',
      'q1 Q0 d1 1 2.0 t\nq9 Q0 d1 1 2.0 t\n',
      /^unknown\.trec line 2: query 'q9' is not a query of this dataset/,
    );
    await rejects(
      'dup.trec',
      'q1 Q0 d1 1 2.0 t\nq2 Q0 d4 1 1.0 t\nq1 Q0 d2 2 1.5 t\nq1 Q0 d1 3 1.0 t\n',
      /^dup\.trec line 4: query 'q1' ranks document 'd1' twice/,
    );
    await rejects('empty.trec', '\n\n', /the run is empty/);
    // q5 is a query of the dataset, but the split does not judge it: nothing to score
    await rejects('unjudged.trec', 'q5 Q0 d1 1 2.0 t\n', /^unjudged\.trec: no query is in both the run/);
  });

  it("with candidates, rejects a document outside the query's top `depth` candidates", async () => {
    const options = { candidates: 'run.trec', depth: 2 };
    // q1's top two candidates are d3 and d1: re-ranking them is fine, bringing in d2 is not
    const ok = await scoreRun(FIXTURE, writeRun(dir, 'ok.trec', 'q1 Q0 d1 1 5 t\nq1 Q0 d3 2 4 t\n'), options);
    // q1 ranks d1 (label 2) first, d3 (label 0) second: nDCG@10 = 2 / (2 + 1/log2 3), the others 0
    expect(metric(ok, 'ndcg_cut_10')?.value).toBeCloseTo(2 / (2 + 1 / Math.log2(3)) / 5, 12);
    await rejects(
      'extra.trec',
      'q1 Q0 d1 1 5 t\nq1 Q0 d2 2 4 t\n',
      /^extra\.trec line 2: query 'q1' document 'd2' is not among the query's candidates/,
      options,
    );
  });

  it('refuses bad evaluator options naming the field', async () => {
    const err = await scoreRun(FIXTURE, join(FIXTURE, 'run.trec'), { candidates: '../x.trec' }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/evaluator options: candidates: must be a path inside the dataset/);
    expect(err).not.toBeInstanceOf(SubmissionError);
  });
});

describe('BEIR SciFact', () => {
  it('scores the bundled BM25 candidates as a run: nDCG@10 0.6789, as trec_eval -c gives', async () => {
    const options = { split: 'test', candidates: 'candidates.bm25.trec', depth: 100 };
    const r = await scoreRun(SCIFACT, join(SCIFACT, 'candidates.bm25.trec'), options);
    const ndcg = metric(r, 'ndcg_cut_10');
    expect(Math.abs((ndcg?.value ?? 0) - 0.6789)).toBeLessThanOrEqual(0.00005);
    expect(ndcg?.n).toBe(300);
    expect(r.examples).toHaveLength(300);
    // Pyserini's published R@100 for this configuration (bm25-scifact.test.ts)
    expect(Math.abs((metric(r, 'recall_100')?.value ?? 0) - 0.9253)).toBeLessThanOrEqual(0.00005);
    const ci = ndcg?.ci;
    expect(ci && ci.high - ci.low).toBeGreaterThan(0.01);
    const otherSeed = await scoreRun(SCIFACT, join(SCIFACT, 'candidates.bm25.trec'), options, 8);
    expect(metric(otherSeed, 'ndcg_cut_10')?.ci).not.toEqual(ci);
    expect(metric(otherSeed, 'ndcg_cut_10')?.value).toBe(ndcg?.value);
  }, 60_000);
});
