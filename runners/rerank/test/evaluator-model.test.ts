import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationReport } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRerankEvaluator } from '../src/evaluator';
import { modelDirs } from './cross-encoder-fixture';
import { FIXTURE, scoreRun, writeRun } from './evaluator-helpers';
import { independentRanking, scoreModel, trecLines } from './model-helpers';

/*
 * A cross-encoder directory as the submission: the evaluator runs it on the benchmark's candidates
 * (fixtures/beir-small, candidates = its run.trec) with a real ONNX session of the project's test
 * model, and scores the ranking exactly as a run file. The expected ranking is computed here from the
 * files (independentRanking), and the expected metrics by scoring that ranking as a submitted run.
 */

const CANDIDATES = { candidates: 'run.trec' };
const shown = (top10: unknown) =>
  (top10 as { docid: string; score: number }[]).map(({ docid, score }) => ({ docid, score }));
let dir: string;
let model: string;
let report: EvaluationReport;
const progress: [number, string | undefined][] = [];
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rerank-model-'));
  model = await (await modelDirs())();
  report = await scoreModel(FIXTURE, model, CANDIDATES, {
    progress: (f, m) => progress.push([f, m]),
    log: (_level, m) => logs.push(m),
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a model directory submission', () => {
  it('ranks each judged query as rerankQueries does on the same model, scores strictly decreasing', async () => {
    const expected = await independentRanking(FIXTURE, 'run.trec', model);
    // q3 has no candidates and q5 is not judged: neither is ranked
    expect([...expected.keys()]).toEqual(['q1', 'q2', 'q4', 'q6']);
    for (const [qid, docs] of expected) {
      const row = report.examples.find((e) => e.id === qid);
      expect(shown(row?.data.top10), qid).toEqual(docs.slice(0, 10).map((d) => ({ docid: d.docId, score: d.score })));
      const scores = docs.map((d) => d.score);
      expect(
        scores.every((s, i) => i === 0 || s < (scores[i - 1] ?? 0)),
        qid,
      ).toBe(true);
    }
  });

  it('gives the metrics and rows of the same ranking submitted as a run file', async () => {
    const ranking = await independentRanking(FIXTURE, 'run.trec', model);
    const asRun = await scoreRun(FIXTURE, writeRun(dir, 'model-ranking.trec', trecLines(ranking)), CANDIDATES);
    expect(report.metrics).toEqual(asRun.metrics);
    // the same rows, but a model's also keep its ranking (for the downloads); a run file's do not
    const withoutRanking = report.examples.map(({ data: { ranking, ...data }, ...e }) => ({ ...e, data }));
    expect(withoutRanking).toEqual(asRun.examples);
    expect(asRun.examples.some((e) => 'ranking' in e.data)).toBe(false);
    for (const e of report.examples) {
      const docs = ranking.get(e.id) ?? [];
      expect(e.data.ranking, e.id).toEqual(docs.map((d) => [d.docId, d.score]));
    }
    // the run ranks the same documents as the candidates: recall@100 is the first stage's
    expect(report.metrics.find((m) => m.name === 'recall_100')?.value).toBe(0.6);
  });

  it('re-ranks only the top `depth` candidates; the rest keep first-stage order below', async () => {
    const settings = { ...CANDIDATES, depth: 2 };
    const expected = await independentRanking(FIXTURE, 'run.trec', model, 2);
    const shallow = await scoreModel(FIXTURE, model, settings);
    const q6 = expected.get('q6') ?? [];
    // q6's candidates n1 … n10, d1: two re-scored, nine after them as the first stage had them
    expect(q6.slice(2).map((d) => d.docId)).toEqual(['n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'd1']);
    for (const [qid, docs] of expected) {
      expect(shown(shallow.examples.find((e) => e.id === qid)?.data.top10), qid).toEqual(
        docs.slice(0, 10).map((d) => ({ docid: d.docId, score: d.score })),
      );
    }
    // depth 1: q2's candidates d4 and d5 tie; trec_eval's order (docid descending) makes d5 the one re-scored
    const one = await independentRanking(FIXTURE, 'run.trec', model, 1);
    expect(one.get('q2')?.map((d) => d.docId)).toEqual(['d5', 'd4']);
    const single = await scoreModel(FIXTURE, model, { ...CANDIDATES, depth: 1 });
    expect(shown(single.examples.find((e) => e.id === 'q2')?.data.top10)).toEqual(
      one.get('q2')?.map((d) => ({ docid: d.docId, score: d.score })),
    );
  });

  it('reports progress over pairs, logs its speed, and records the session with the model it ran', () => {
    // 4 + 2 + 1 + 11 candidates of the judged queries q1, q2, q4 and q6
    expect(progress[0]).toEqual([0, '0 / 18 pairs']);
    const pairs = progress.filter(([, m]) => m?.endsWith(' pairs'));
    expect(pairs.at(-1)).toEqual([0.95, '18 / 18 pairs']);
    const fractions = progress.map(([f]) => f);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(logs.join('\n')).toMatch(/18 pairs in \d+ batches, \d+ pairs\/s, [\d.]+% of the time outside session\.run/);
    const [session, ...others] = report.provenance.sessions ?? [];
    expect(others).toEqual([]);
    expect(session?.provider).toBe('cpu');
    expect(report.provenance.device).toBe('cpu');
    expect(session?.label).toMatch(
      /^cross-encoder: model\.onnx sha256 [0-9a-f]{64}, max length 512, top 11 candidates re-ranked, 18 pairs$/,
    );
  });

  it('stops between batches when the run is aborted', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    // two pairs a batch: nine batches for the 18 pairs
    const evaluator = createRerankEvaluator({ batch: { tokenBudget: 16_384, maxBatch: 2 } });
    const result = await scoreModel(FIXTURE, model, CANDIDATES, {
      evaluator,
      signal: abort.signal,
      progress: (_f, m) => {
        if (m) seen.push(m);
        if (m === '2 / 18 pairs') abort.abort(new Error('stopped by the test'));
      },
    }).catch((e: unknown) => e);
    expect((result as Error).message).toBe('stopped by the test');
    expect(seen).toEqual(['0 / 18 pairs', '2 / 18 pairs']);
  });
});
