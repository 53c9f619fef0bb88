import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '@trueboard/testkit';

/*
 * The benchmark of rerank-browser.test.ts. It is runners/rerank/test/fixtures/beir-small (qrels: q1 d1:2 d2:1 d3:0; q2 d4:1;
 * q3 d6:1 d2:1; q4 d5:0; q6 d1:1; q5 is not judged) with these candidates (the "BM25" first stage)
 * and this re-ranking of them. nDCG@10 by hand (gain = label, discount log2(rank + 1), ideal from
 * every judged document):
 *   q1 BM25 d1 d3 d2 d4: (2 + 1/log2 4) / (2 + 1/log2 3) = 0.95023; run d3 d1 d4 d2:
 *      (2/log2 3 + 1/log2 5) / (2 + 1/log2 3) = 0.64332 → −0.30691, worse
 *   q2 BM25 d5 d4: (1/log2 3) / 1 = 0.63093; run d4 d5: 1 → +0.36907, better
 *   q3 BM25 n1 d6 d2: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3) = 0.69343; run d6 d2 n1: 1 → +0.30657, better
 *   q4 only a label-0 judgment: 0 either way → same
 *   q6 BM25 d1 n3: 1; run n3 d1: 1/log2 3 = 0.63093 → −0.36907, worse
 * So exactly two negative flips, q1 and q6.
 */
const BEIR_SMALL = join(REPO, 'runners', 'rerank', 'test', 'fixtures', 'beir-small');
export const CANDIDATES = `q1 Q0 d1 1 4 bm25
q1 Q0 d3 2 3 bm25
q1 Q0 d2 3 2 bm25
q1 Q0 d4 4 1 bm25
q2 Q0 d5 1 2 bm25
q2 Q0 d4 2 1 bm25
q3 Q0 n1 1 3 bm25
q3 Q0 d6 2 2 bm25
q3 Q0 d2 3 1 bm25
q4 Q0 d5 1 2 bm25
q4 Q0 n2 2 1 bm25
q5 Q0 d1 1 1 bm25
q6 Q0 d1 1 2 bm25
q6 Q0 n3 2 1 bm25
`;
export const RERANKED = `q1 Q0 d3 1 3 mine
q1 Q0 d1 2 2 mine
q1 Q0 d4 3 1 mine
q1 Q0 d2 4 0.5 mine
q2 Q0 d4 1 2 mine
q2 Q0 d5 2 1 mine
q3 Q0 d6 1 3 mine
q3 Q0 d2 2 2 mine
q3 Q0 n1 3 1 mine
q4 Q0 n2 1 2 mine
q4 Q0 d5 2 1 mine
q5 Q0 d1 1 1 mine
q6 Q0 n3 1 2 mine
q6 Q0 d1 2 1 mine
`;
const MiB = 1024 * 1024;
export const LIMIT = 5 * MiB;

/** the BEIR fixture with the candidates above, as a benchmark directory */
export function benchmarkDir(work: string): string {
  const dir = join(work, 'beir-small');
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv']) cpSync(join(BEIR_SMALL, f), join(dir, f));
  writeFileSync(join(dir, 'candidates.trec'), CANDIDATES);
  const metric = (name: string, label: string) => ({ name, label, unit: 'ratio', description: label });
  const manifest = {
    id: 'beir-small',
    name: 'BEIR small',
    family: 'rerank',
    description: 'Six queries over sixteen documents (runners/rerank/test/fixtures/beir-small).',
    license: 'CC0',
    source: 'Trueboard tests',
    ownerTeam: 'maintainers',
    // the metrics of benchmarks/scifact, in its order
    metrics: [
      metric('ndcg_cut_10', 'nDCG@10'),
      metric('recall_100', 'Recall@100'),
      metric('map', 'MAP'),
      metric('recip_rank_10', 'MRR@10'),
    ],
    primaryMetric: 'ndcg_cut_10',
    files: ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'candidates.trec'],
    evaluator: { format: 'beir', split: 'test', candidates: 'candidates.trec' },
    limits: { artifactMaxBytes: LIMIT },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
