import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import { trueboard } from './cli-process';
import { REPO } from './helpers';

/*
 * `trueboard eval rerank --dataset … --model …` is the generic evaluation with the model directory as
 * the artifact and the candidates and depth as evaluator settings: each mode's report must be the one
 * the generic command writes for the same inputs (`--predictions <model> --option candidates=…
 * --option depth=…`), whatever way the candidates are given. The model is the project's test
 * cross-encoder (runners/rerank/scripts/build-test-model.ts), run by onnxruntime-node for real.
 */
const FIXTURE = join(REPO, 'runners', 'rerank', 'test', 'fixtures', 'beir-small');
const SCIFACT = join(REPO, 'benchmarks', 'scifact');

let dir = '';
let model = '';
let cache = '';
let scratch = '';
let data = '';
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tb-eval-rerank-model-'));
  model = join(dir, 'model');
  await writeTestModel(model);
  cache = join(dir, 'cache');
  // the CLI's temporary files (the dataset view, the packed model) go here: checked empty afterwards
  scratch = join(dir, 'tmp');
  mkdirSync(scratch);
  // a copy of the fixture with the first stage inside it, for the generic command's `candidates` setting
  data = join(dir, 'data');
  cpSync(FIXTURE, data, { recursive: true });
  copyFileSync(join(FIXTURE, 'run.trec'), join(data, 'first-stage.trec'));
  copyFileSync(join(FIXTURE, 'run.trec'), join(dir, 'first-stage.trec'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return trueboard([...args, '--cache-dir', cache], undefined, { TMPDIR: scratch });
}

describe('trueboard eval rerank --model', () => {
  it('re-ranks a run file from outside the dataset as the generic evaluation does, with a progress over pairs', async () => {
    const [byModel, generic] = await Promise.all([
      cli([
        'eval',
        'rerank',
        '--dataset',
        FIXTURE,
        '--model',
        model,
        '--candidates',
        join(dir, 'first-stage.trec'),
        '--depth',
        '3',
        '--out',
        join(dir, 'model.json'),
      ]),
      cli([
        'eval',
        'rerank',
        '--dataset',
        data,
        '--predictions',
        model,
        '--option',
        'candidates=first-stage.trec',
        '--option',
        'depth=3',
        '--out',
        join(dir, 'generic.json'),
      ]),
    ]);
    expect(byModel.code, byModel.stderr).toBe(0);
    expect(generic.code, generic.stderr).toBe(0);
    expect(byModel.stderr).toMatch(/trueboard-rerank: \d+% \d+ \/ 9 pairs/);
    expect(byModel.stdout).toMatch(/^ndcg_cut_10\s+trec_eval -c\s+0\.\d{4}\s/m);
    const [a, b] = [read(join(dir, 'model.json')), read(join(dir, 'generic.json'))];
    expect(a.metrics).toEqual(b.metrics);
    expect(a.examples).toEqual(b.examples);
    expect(a.provenance.artifactHash).toBe(b.provenance.artifactHash);
    // the temporary dataset view is gone
    expect(readdirSync(scratch).filter((f) => f.startsWith('trueboard-rerank-dataset-'))).toEqual([]);
  });

  it('reads a candidates file inside the dataset in place: the same dataset hash as the generic evaluation', async () => {
    const [inside, generic] = await Promise.all([
      cli([
        'eval',
        'rerank',
        '--dataset',
        data,
        '--model',
        model,
        '--candidates',
        join(data, 'first-stage.trec'),
        '--depth',
        '11',
        '--out',
        join(dir, 'inside.json'),
      ]),
      cli([
        'eval',
        'rerank',
        '--dataset',
        data,
        '--predictions',
        model,
        '--option',
        'candidates=first-stage.trec',
        '--option',
        'depth=11',
        '--out',
        join(dir, 'generic-11.json'),
      ]),
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(generic.code, generic.stderr).toBe(0);
    const [a, b] = [read(join(dir, 'inside.json')), read(join(dir, 'generic-11.json'))];
    expect(a.provenance.datasetHash).toBe(b.provenance.datasetHash);
    expect(a.metrics).toEqual(b.metrics);
  });

  it("computes BM25 candidates (--candidates bm25): on SciFact, the top of the benchmark's own BM25 run", async () => {
    // candidates.bm25.trec (runners/rerank/scripts/bm25-candidates.ts) is in rank order: its first 10 lines a query
    const lines = readFileSync(join(SCIFACT, 'candidates.bm25.trec'), 'utf8').split('\n');
    const top10 = lines.filter((l) => Number(l.split(' ')[3]) <= 10);
    expect(top10).toHaveLength(3000);
    writeFileSync(join(dir, 'bm25-top10.trec'), `${top10.join('\n')}\n`);
    const [bm25, file] = await Promise.all([
      cli([
        'eval',
        'rerank',
        '--dataset',
        SCIFACT,
        '--model',
        model,
        '--candidates',
        'bm25',
        '--depth',
        '10',
        '--out',
        join(dir, 'bm25.json'),
      ]),
      cli([
        'eval',
        'rerank',
        '--dataset',
        SCIFACT,
        '--model',
        model,
        '--candidates',
        join(dir, 'bm25-top10.trec'),
        '--depth',
        '10',
        '--out',
        join(dir, 'top10.json'),
      ]),
    ]);
    expect(bm25.code, bm25.stderr).toBe(0);
    expect(file.code, file.stderr).toBe(0);
    expect(bm25.stderr).toContain('bm25 candidates: top 10 of 5183 documents for 300 queries');
    const [a, b] = [read(join(dir, 'bm25.json')), read(join(dir, 'top10.json'))];
    expect(a.metrics.map((m: { n: number }) => m.n)).toEqual([300, 300, 300, 300]);
    expect(a.metrics).toEqual(b.metrics);
  }, 120_000);
});
