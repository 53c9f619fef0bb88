import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bm25Rm3Run } from '../scripts/bm25-rm3';
import { writeTestModel } from '../scripts/build-test-model';
import { parseRerankOptions } from '../src/options';
import { RERANK_MEASURES } from '../src/report';

// The SciFact board as `trueboard start` registers it: benchmarks/scifact/manifest.json and the three
// baselines in benchmarks/scifact/baselines, each reproducible from the project's own scripts.
const BENCH = fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));
const BASELINES = join(BENCH, 'baselines');
const MODEL_DIR = join(BASELINES, 'test-cross-encoder');

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const read = (...parts: string[]) => readFileSync(join(...parts));
const work = mkdtempSync(join(tmpdir(), 'scifact-board-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** qid → docids in file order. */
function ranked(run: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of run.trimEnd().split('\n')) {
    const [qid = '', , docid = ''] = line.split(' ');
    out.set(qid, [...(out.get(qid) ?? []), docid]);
  }
  return out;
}

describe('benchmarks/scifact/manifest.json', () => {
  const manifest = JSON.parse(read(BENCH, 'manifest.json').toString('utf8'));

  it('declares the candidates as an asset of the dataset with their sha256 and size', () => {
    const candidates = read(BENCH, 'candidates.bm25.trec');
    expect(manifest.assets).toEqual({
      candidates: { sha256: sha256(candidates), bytes: candidates.length, path: 'candidates.bm25.trec' },
    });
    expect(manifest.files).toContain('candidates.bm25.trec');
  });

  it('declares exactly the metrics the evaluator reports, nDCG@10 primary, and valid evaluator settings', () => {
    expect(manifest.family).toBe('rerank');
    expect(manifest.metrics.map((m: { name: string }) => m.name).sort()).toEqual(Object.keys(RERANK_MEASURES).sort());
    expect(manifest.primaryMetric).toBe('ndcg_cut_10');
    expect(parseRerankOptions(manifest.evaluator)).toMatchObject({
      format: 'beir',
      split: 'test',
      candidates: 'candidates.bm25.trec',
      depth: 100,
    });
  });
});

describe('benchmarks/scifact/baselines', () => {
  const entries = JSON.parse(read(BASELINES, 'baselines.json').toString('utf8')) as {
    file: string;
    method: string;
    description: string;
  }[];

  it('lists BM25, BM25 + RM3 and the test cross-encoder, which says it is a toy', () => {
    expect(entries.map((e) => e.file)).toEqual(['bm25.trec', 'bm25-rm3.trec', 'test-cross-encoder']);
    const model = entries[2];
    expect(model?.method).toContain('test model');
    expect(model?.description).toMatch(/not a real re-ranker/);
    expect(model?.description).toContain('runners/rerank/scripts/build-test-model.ts');
  });

  it('BM25 is the candidates themselves, byte for byte', () => {
    expect(read(BASELINES, 'bm25.trec').equals(read(BENCH, 'candidates.bm25.trec'))).toBe(true);
  });

  it('BM25 + RM3: the script rebuilds the committed run byte for byte, ranking only each query’s candidates', async () => {
    const { text, config } = await bm25Rm3Run(BENCH);
    expect(sha256(text)).toBe(sha256(read(BASELINES, 'bm25-rm3.trec')));
    expect(config.rm3).toMatchObject({ fbDocs: 10, fbTerms: 10, originalQueryWeight: 0.5 });
    const rm3 = ranked(text);
    const bm25 = ranked(read(BENCH, 'candidates.bm25.trec').toString('utf8'));
    expect([...rm3.keys()]).toEqual([...bm25.keys()]);
    for (const [qid, docs] of rm3) expect([...docs].sort()).toEqual([...(bm25.get(qid) ?? [])].sort());
    // scores agree with the written order (trec_eval re-sorts by score)
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d+ Q0 \d+ 1 \d+\.\d+(e-\d+)? bm25-rm3$/);
    for (let i = 1; i < lines.length; i++) {
      const [q, , , , s] = (lines[i] ?? '').split(' ');
      const [pq, , , , ps] = (lines[i - 1] ?? '').split(' ');
      if (q === pq) expect(Number(s)).toBeLessThanOrEqual(Number(ps));
    }
  }, 60_000);

  it('BM25 + RM3 scores the nDCG@10 that trec_eval 9.0.8 -c gives it (0.6443), by an independent computation', () => {
    const judged = new Map<string, Map<string, number>>();
    for (const line of read(BENCH, 'qrels/test.tsv').toString('utf8').split(/\r?\n/).slice(1)) {
      if (!line) continue;
      const [qid = '', docid = '', label = ''] = line.split('\t');
      judged.set(qid, (judged.get(qid) ?? new Map()).set(docid, Number(label)));
    }
    const run = ranked(read(BASELINES, 'bm25-rm3.trec').toString('utf8'));
    let sum = 0;
    for (const [qid, labels] of judged) {
      const dcg = (run.get(qid) ?? []).slice(0, 10).reduce((s, d, i) => s + (labels.get(d) ?? 0) / Math.log2(i + 2), 0);
      const ideal = [...labels.values()].sort((a, b) => b - a).slice(0, 10);
      sum += dcg / ideal.reduce((s, l, i) => s + l / Math.log2(i + 2), 0);
    }
    expect(sum / judged.size).toBeCloseTo(0.6443, 4);
  });

  it('the test cross-encoder: rebuilding it with the script gives the same sha256 for every file', async () => {
    const rebuilt = join(work, 'test-cross-encoder');
    await writeTestModel(rebuilt);
    const committed = readdirSync(MODEL_DIR).sort();
    expect(committed).toEqual(['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(readdirSync(rebuilt).sort()).toEqual(committed);
    for (const name of committed) expect(sha256(read(rebuilt, name)), name).toBe(sha256(read(MODEL_DIR, name)));
  }, 60_000);

  it('records the sha256 of every baseline file in the README', () => {
    const readme = read(BENCH, 'README.md').toString('utf8');
    const files = ['baselines/bm25.trec', 'baselines/bm25-rm3.trec'].concat(
      readdirSync(MODEL_DIR).map((n) => `baselines/test-cross-encoder/${n}`),
    );
    for (const name of files) {
      expect(readme).toMatch(
        new RegExp(`\\| \`${name.replaceAll('.', '\\.')}\` +\\| ${sha256(read(BENCH, name))} +\\|`),
      );
    }
  });
});
