import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers';

export const BEIR_SMALL = join(REPO, 'runners', 'rerank', 'test', 'fixtures', 'beir-small');

/**
 * A benchmark directory in `scratch` made of runners/rerank/test/fixtures/beir-small (six queries over
 * sixteen documents), with its run.trec as the candidates models re-rank; returns the directory.
 */
export function beirSmallBenchmark(scratch: string): string {
  const dir = join(scratch, 'beir-small');
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv']) cpSync(join(BEIR_SMALL, f), join(dir, f));
  cpSync(join(BEIR_SMALL, 'run.trec'), join(dir, 'candidates.trec'));
  const metric = (name: string) => ({ name, label: name, unit: 'ratio', description: name });
  const manifest = {
    id: 'beir-small',
    name: 'BEIR small',
    family: 'rerank',
    description: 'Six queries over sixteen documents.',
    license: 'CC0',
    source: 'Trueboard tests',
    ownerTeam: 'maintainers',
    metrics: ['ndcg_cut_10', 'recall_100', 'map', 'recip_rank_10'].map(metric),
    primaryMetric: 'ndcg_cut_10',
    files: ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'candidates.trec'],
    evaluator: { format: 'beir', split: 'test', candidates: 'candidates.trec' },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
