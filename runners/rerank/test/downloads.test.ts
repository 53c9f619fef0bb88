import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DownloadRow, EvaluationReport } from '@trueboard/contracts';
import { qrelsFromEntries } from '@trueboard/metrics';
import { readTrecRun } from '@trueboard/metrics/trec-io';
import { beforeAll, describe, expect, it } from 'vitest';
import { rankifyDownload, rerankDownloads, runTag, trecRunDownload } from '../src/downloads';
import { readBeirQrels } from '../src/formats/beir-qrels';
import { parseRankify } from '../src/formats/rankify-read';
import { writeRankifyJson } from '../src/formats/rankify-write';
import { perQuery, RERANK_MEASURES, scoreRun as scoreEvaluation } from '../src/report';
import { modelDirs } from './cross-encoder-fixture';
import { FIXTURE, scoreRun } from './evaluator-helpers';
import { independentRanking, scoreModel } from './model-helpers';

/*
 * The family's downloads, written from the rows a real evaluation stores: the project's test
 * cross-encoder (a real ONNX session) re-ranking fixtures/beir-small's candidates. The TREC run is
 * read back by the metrics package's own reader and scored again; the Rankify JSON by the family's
 * Rankify reader.
 */

const CANDIDATES = { candidates: 'run.trec' };
let model = '';
let report: EvaluationReport;

const rowsOf = (r: EvaluationReport): DownloadRow[] =>
  r.examples.map((e) => ({ id: e.id, verdict: e.verdict, reason: e.reason ?? null, data: e.data }));
async function* each<T>(items: readonly T[]) {
  yield* items;
}
async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}
const download = (name: string) => rerankDownloads.find((d) => d.name === name);

beforeAll(async () => {
  model = await (await modelDirs())();
  report = await scoreModel(FIXTURE, model, CANDIDATES);
}, 60_000);

describe('the re-ranked run as a TREC run', () => {
  it('scores again, read by the metrics package, to exactly the metrics stored with each row', async () => {
    const trec = await text(trecRunDownload(each(rowsOf(report)), 'my-model'));
    const run = await readTrecRun([trec], 'download.trec');
    const judged = await readBeirQrels(join(FIXTURE, 'qrels', 'test.tsv'));
    const qrels = qrelsFromEntries(
      [...judged].flatMap(([qid, docs]) => [...docs].map(([docid, label]) => ({ qid, docid, label }))),
    );
    const again = scoreEvaluation(run, qrels, { relevanceLevel: 1 } as Parameters<typeof scoreEvaluation>[2]);
    for (const metric of Object.keys(RERANK_MEASURES) as (keyof typeof RERANK_MEASURES)[]) {
      const values = perQuery(again, metric);
      const stored = again.queries.map((qid) => report.examples.find((e) => e.id === qid)?.data[metric]);
      expect([metric, [...values]]).toEqual([metric, stored]);
      expect(again.measures.find((m) => m.name === RERANK_MEASURES[metric])?.mean ?? -1).toBe(
        report.metrics.find((m) => m.name === metric)?.value,
      );
    }
    // every judged query the model ranked, in the model's order, with its tag
    const ranking = await independentRanking(FIXTURE, 'run.trec', model);
    const lines = trec.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(
      [...ranking].flatMap(([qid, docs]) => docs.map((d) => `${qid} Q0 ${d.docId}`)),
    );
    expect(new Set(lines.map((l) => l.split(' ')[5]))).toEqual(new Set(['my-model']));
  });

  it('is what a run file submits: scored as one, it gives the same metrics', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rerank-download-')), 'download.trec');
    writeFileSync(file, await text(trecRunDownload(each(rowsOf(report)), 'trueboard')));
    const asRun = await scoreRun(FIXTURE, file, CANDIDATES);
    expect(asRun.metrics).toEqual(report.metrics);
    // a run file's rows keep no ranking: it offers no download
    for (const d of rerankDownloads)
      expect([d.name, d.available(rowsOf(asRun)[0] as DownloadRow)]).toEqual([d.name, false]);
    for (const d of rerankDownloads)
      expect([d.name, d.available(rowsOf(report)[0] as DownloadRow)]).toEqual([d.name, true]);
  });

  it('tags the run with the method, whitespace made `_`, and breaks off on a row without a ranking', async () => {
    expect(runTag(' BM25 + cross\tencoder ')).toBe('BM25_+_cross_encoder');
    expect(runTag('  ')).toBe('trueboard');
    const rows = rowsOf(report);
    const broken = [rows[0], { ...rows[1], data: { query: 'x' } }] as DownloadRow[];
    await expect(text(trecRunDownload(each(broken), 't'))).rejects.toThrow(
      `run query "${rows[1]?.id}": the stored row holds no ranking`,
    );
  });
});

describe('the re-ranked run as Rankify JSON', () => {
  it('reads back with the Rankify reader: each query, its text, its ctxs in order with their scores', async () => {
    const rows = rowsOf(report);
    const json = await text(rankifyDownload(each(rows)));
    const read = parseRankify(JSON.parse(json), { name: 'download.json' });
    expect([...read.queries]).toEqual(rows.map((r) => [r.id, r.data.query]));
    const ranking = await independentRanking(FIXTURE, 'run.trec', model);
    for (const r of rows) {
      const expected = (ranking.get(r.id) ?? []).map((d) => ({ docid: d.docId, score: d.score }));
      expect([r.id, read.run.get(r.id)]).toEqual([r.id, expected]);
    }
    // q3 has no candidates: an entry with no ctxs
    expect(read.run.get('q3')).toEqual([]);
    // no has_answer and no answers: neither is known (see rankifyDownload)
    expect(json).not.toMatch(/has_answer|answers/);
    // laid out as the family's Rankify writer lays out the same entries
    const out = new PassThrough();
    let written = '';
    out.on('data', (c) => {
      written += c;
    });
    await writeRankifyJson(JSON.parse(json), out);
    expect(json).toBe(written);
    expect(download('rankify.json')?.fileName('abc')).toBe('abc.rankify.json');
  });

  it('writes an empty array for a result without rows', async () => {
    expect(await text(rankifyDownload(each([])))).toBe('[\n]\n');
  });
});
