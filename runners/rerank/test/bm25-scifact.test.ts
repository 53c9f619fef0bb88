import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bm25CandidatesRun } from '../scripts/bm25-candidates';
import { sharedScifact } from './shared-data';

// The real SciFact test split in benchmarks/scifact, scored by the reference trec_eval 9.0.8 (built from
// packages/metrics/reference into a temp dir, as its REFERENCE.md says) and by a minimal nDCG@10 written here.
// Targets are Pyserini's published BEIR "flat" BM25 figures (Lucene, k1 0.9, b 0.4, title + text in
// one field, Porter-stemmed EnglishAnalyzer): nDCG@10 0.6789, R@100 0.9253 — the configuration we
// reimplement. The BEIR paper's 0.665 is Elasticsearch multi_match over separate fields, another system.
const BENCH = fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));
const SOURCE = sharedScifact() ?? '';
const QRELS_SHA256 = '0864bb985e0ca2367ba217977e72004d549054b2b06666ed9d4825ac7c21284c';
const TREC_EVAL_SRC = fileURLToPath(new URL('../../../packages/metrics/reference/trec_eval-9.0.8', import.meta.url));

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const file = (dir: string, name: string) => readFileSync(join(dir, name));

let work: string;
let run: string;
let trecEval: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bm25-scifact-'));
  cpSync(TREC_EVAL_SRC, join(work, 'trec_eval-src'), { recursive: true });
  execFileSync('make', ['-s', '-C', join(work, 'trec_eval-src')], { stdio: ['ignore', 'ignore', 'pipe'] });
  trecEval = join(work, 'trec_eval-src', 'trec_eval');
  run = (await bm25CandidatesRun(BENCH)).text;
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** BEIR qrels (header, 3 columns, CRLF here) → qid → docid → label. */
function qrels(): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of file(BENCH, 'qrels/test.tsv').toString('utf8').split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [qid = '', docid = '', label = ''] = line.split('\t');
    out.set(qid, (out.get(qid) ?? new Map()).set(docid, Number(label)));
  }
  return out;
}

describe('benchmarks/scifact data', () => {
  it.skipIf(!SOURCE)('copies corpus and test qrels byte for byte from the BEIR release', () => {
    for (const name of ['corpus.jsonl', 'qrels/test.tsv'])
      expect(file(BENCH, name).equals(file(SOURCE, name))).toBe(true);
    expect(sha256(file(BENCH, 'corpus.jsonl'))).toBe(
      'dec31c8182f3d744c7d2c09423756fd1d17cbef75808db13ba01cc0aab4d1ac6',
    );
    expect(file(BENCH, 'corpus.jsonl').toString('utf8').trimEnd().split('\n')).toHaveLength(5183);
  });

  it.skipIf(!SOURCE)(
    'keeps exactly the 300 test queries, with no metadata (the gold evidence) and unchanged text',
    () => {
      const original = new Map(
        file(SOURCE, 'queries.jsonl')
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as { _id: string; text: string })
          .map((q) => [q._id, q.text]),
      );
      const lines = file(BENCH, 'queries.jsonl').toString('utf8').trimEnd().split('\n');
      const queries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(queries.map((q) => q._id).sort()).toEqual([...qrels().keys()].sort());
      for (const q of queries) {
        expect(Object.keys(q)).toEqual(['_id', 'text']);
        expect(q.text).toBe(original.get(String(q._id)));
      }
      expect(lines.join('\n')).not.toContain('metadata');
    },
  );

  it('ships the 300 test queries as {_id, text} only: no metadata (the gold evidence) reaches anyone', () => {
    const lines = file(BENCH, 'queries.jsonl').toString('utf8').trimEnd().split('\n');
    const queries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(queries.map((q) => q._id).sort()).toEqual([...qrels().keys()].sort());
    for (const q of queries) expect(Object.keys(q)).toEqual(['_id', 'text']);
    expect(lines.join('\n')).not.toContain('metadata');
    // the BEIR release's qrels, byte for byte (its sha256, recorded from the original)
    expect(sha256(file(BENCH, 'qrels/test.tsv'))).toBe(QRELS_SHA256);
  });

  it('records the sha256 of every copied file and of the candidates in the README', () => {
    const readme = file(BENCH, 'README.md').toString('utf8');
    for (const name of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'candidates.bm25.trec']) {
      // a table row: the file, then its sha256 (the formatter pads the columns)
      expect(readme).toMatch(
        new RegExp(`\\| \`${name.replaceAll('.', '\\.')}\` +\\| ${sha256(file(BENCH, name))} +\\|`),
      );
    }
  });
});

describe('BM25 candidates on SciFact test', () => {
  it('are deterministic: a re-run gives the bytes of the committed candidates.bm25.trec', async () => {
    expect(run).toBe(file(BENCH, 'candidates.bm25.trec').toString('utf8'));
    expect((await bm25CandidatesRun(BENCH)).text).toBe(run);
    const lines = run.trimEnd().split('\n');
    const perQuery = new Map<string, number>();
    for (const line of lines) perQuery.set(line.split(' ')[0] ?? '', (perQuery.get(line.split(' ')[0] ?? '') ?? 0) + 1);
    // every query gets 100 candidates except claim 768, whose terms occur in only 66 abstracts
    expect(perQuery.size).toBe(300);
    expect([...perQuery].filter(([, n]) => n !== 100)).toEqual([['768', 66]]);
    expect(lines[0]).toMatch(/^\d+ Q0 \d+ 1 \d+\.\d+ bm25-flat$/);
  }, 180_000);

  it('reach the published Pyserini flat numbers under trec_eval -c (all 300 qrels queries)', () => {
    const qrelsPath = join(work, 'qrels.trec');
    const runPath = join(work, 'run.trec');
    const lines = [...qrels()].flatMap(([q, docs]) => [...docs].map(([d, rel]) => `${q} 0 ${d} ${rel}`));
    writeFileSync(qrelsPath, `${lines.join('\n')}\n`);
    writeFileSync(runPath, run);
    const out = spawnSync(trecEval, ['-c', '-m', 'ndcg_cut.10', '-m', 'recall.100', qrelsPath, runPath], {
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    const value = (m: string) => Number(out.stdout.match(new RegExp(`^${m}\\s+all\\s+(\\S+)$`, 'm'))?.[1]);
    // Pyserini BEIR flat, SciFact: nDCG@10 0.6789 (band ±0.02 as the task sets; we get 0.6789)
    expect(value('ndcg_cut_10')).toBeGreaterThanOrEqual(0.6589);
    expect(value('ndcg_cut_10')).toBeLessThanOrEqual(0.6989);
    // Pyserini flat R@100 0.9253 (BEIR's Elasticsearch multifield: 0.908; the data README's "≈ 0.89" is
    // below both). A ±0.02 band around 0.925 admits Lucene float32 near-tie reorderings; dropping stemming
    // falls out of it. Subtler changes (e.g. keeping stop words) are caught by the exact checks: the
    // byte-identical run above and the 4-decimal nDCG below.
    expect(value('recall_100')).toBeGreaterThanOrEqual(0.905);
    expect(value('recall_100')).toBeLessThanOrEqual(0.945);
  });

  it('agree with an independent minimal nDCG@10 (linear gain, ideal from all judged docs, complete mode)', () => {
    const judged = qrels();
    const ranked = new Map<string, string[]>();
    for (const line of run.trimEnd().split('\n')) {
      const [qid = '', , docid = ''] = line.split(' ');
      ranked.set(qid, [...(ranked.get(qid) ?? []), docid]);
    }
    let sum = 0;
    for (const [qid, labels] of judged) {
      const top = (ranked.get(qid) ?? []).slice(0, 10);
      const dcg = top.reduce((s, d, i) => s + (labels.get(d) ?? 0) / Math.log2(i + 2), 0);
      const ideal = [...labels.values()]
        .filter((l) => l > 0)
        .sort((a, b) => b - a)
        .slice(0, 10);
      const idcg = ideal.reduce((s, l, i) => s + l / Math.log2(i + 2), 0);
      sum += idcg === 0 ? 0 : dcg / idcg;
    }
    expect(judged.size).toBe(300);
    expect(sum / judged.size).toBeCloseTo(0.6789, 4);
  });
});
