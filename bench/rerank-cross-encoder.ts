import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTestModel } from '../runners/rerank/scripts/build-test-model';
import { passageText } from '../runners/rerank/src/corpus';
import {
  CrossEncoder,
  PairTokenizer,
  type QueryPassage,
  readModelDirectory,
  type ScoreStats,
} from '../runners/rerank/src/cross-encoder';
import { readBeirCorpus, readBeirQueries } from '../runners/rerank/src/formats/beir-jsonl';
import { readBeirQrels } from '../runners/rerank/src/formats/beir-qrels';
import { measureOk, seconds } from './measure';
import { STANDIN, writeStandinModel } from './rerank-ce-standin';

/**
 * The cross-encoder row of `npm run bench -- rerank`: pairs per second and the share of wall time
 * spent outside session.run (tokenizing, batching, copying into and out of tensors), target ≤ 10% on
 * CPU, on SciFact-size input: the 300 test queries × their top-100 BM25 candidates of
 * benchmarks/scifact (30,000 real query–abstract pairs), each model scored twice in one session
 * (cold: the first call after opening; warm: the same pairs again). Models: the project's test
 * cross-encoder (hidden 32: session.run is nearly free, so it shows our own overhead), and a stand-in
 * with a MiniLM-L6's matrix products (see rerank-ce-standin.ts) on the first
 * BENCH_CE_STANDIN_PAIRS pairs (default 300; the whole set would take well over an hour on 2 cores),
 * and extrapolated to the whole set: the outside time does not depend on the model (the same
 * tokenizer, batches and tensors), so it is the test model's, against the stand-in's session.run
 * time per pair.
 * Then the whole `trueboard eval rerank --dataset benchmarks/scifact --model <test model>` process.
 */
const SCIFACT = fileURLToPath(new URL('../benchmarks/scifact', import.meta.url));
const CLI = fileURLToPath(new URL('../node_modules/.bin/trueboard', import.meta.url));
const DEPTH = 100;
const STANDIN_PAIRS = Number(process.env.BENCH_CE_STANDIN_PAIRS ?? 300);

/** The SciFact test queries with their top-`DEPTH` BM25 candidates, in qrels and rank order. */
async function scifactPairs(): Promise<QueryPassage[]> {
  const qrels = await readBeirQrels(join(SCIFACT, 'qrels', 'test.tsv'));
  const queries = await readBeirQueries(join(SCIFACT, 'queries.jsonl'), { only: new Set(qrels.keys()) });
  const top = new Map<string, string[]>();
  // candidates.bm25.trec is written in rank order (runners/rerank/scripts/bm25-candidates.ts)
  for (const line of readFileSync(join(SCIFACT, 'candidates.bm25.trec'), 'utf8').split('\n')) {
    const [qid, , docid, rank] = line.split(' ');
    if (!qid || !docid || Number(rank) > DEPTH) continue;
    top.set(qid, [...(top.get(qid) ?? []), docid]);
  }
  const corpus = await readBeirCorpus(join(SCIFACT, 'corpus.jsonl'), { only: new Set([...top.values()].flat()) });
  const pairs: QueryPassage[] = [];
  for (const qid of qrels.keys()) {
    for (const docid of top.get(qid) ?? []) {
      const doc = corpus.get(docid);
      if (doc) pairs.push({ query: queries.get(qid) ?? '', passage: passageText(doc) });
    }
  }
  return pairs;
}

interface Measured {
  label: string;
  openMs: number;
  cold: ScoreStats;
  warm: ScoreStats;
  /**
   * Tokenizing every pair alone with a tokenizer of its own, after the passes: first with an empty
   * cache (as in the cold pass: PairTokenizer keeps each distinct text's tokens), then again (as in
   * the warm pass). ScoreStats times session.run only, so this is how the outside time is split.
   */
  tokenizeMs: { cold: number; warm: number };
}

async function measureModel(label: string, dir: string, pairs: readonly QueryPassage[]): Promise<Measured> {
  const model = await readModelDirectory(dir);
  const tokenizer = new PairTokenizer(model.tokenizer, model.tokenizerConfig, model.maxLength);
  const tokenize = () => {
    const t = performance.now();
    for (const { query, passage } of pairs) tokenizer.encodePair(query, passage);
    return performance.now() - t;
  };
  const t0 = performance.now();
  const encoder = await CrossEncoder.open(dir, { device: 'cpu', deviceRequest: 'cpu' });
  const openMs = performance.now() - t0;
  try {
    const cold = (await encoder.score(pairs)).stats;
    const warm = (await encoder.score(pairs)).stats;
    // after the passes, so that the JIT has seen the tokenizer either way: an estimate of its share
    const tokenizeMs = { cold: tokenize(), warm: tokenize() };
    return { label, openMs, cold, warm, tokenizeMs };
  } finally {
    await encoder.release();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function rows(m: Measured): string {
  const line = (pass: 'cold' | 'warm', s: ScoreStats) => {
    const outside = s.wallMs - s.runMs;
    const tokenize = Math.min(outside, m.tokenizeMs[pass]);
    return (
      `  ${m.label.padEnd(26)} ${pass.padEnd(5)} ${String(s.pairs).padStart(6)} ${seconds(s.wallMs).padStart(9)} ` +
      `${s.pairsPerSecond.toFixed(0).padStart(8)} ${seconds(s.runMs).padStart(9)} ${pct(s.outsideShare).padStart(8)} ` +
      `${seconds(tokenize).padStart(9)} ${seconds(outside - tokenize).padStart(9)} ${pct(s.paddingShare).padStart(8)}\n`
    );
  };
  return line('cold', m.cold) + line('warm', m.warm);
}

export async function crossEncoderBench(): Promise<void> {
  const pairs = await scifactPairs();
  const dir = await mkdtemp(join(tmpdir(), 'tb-bench-ce-'));
  try {
    const testModel = join(dir, 'test-model');
    await writeTestModel(testModel);
    const standin = join(dir, 'standin');
    await writeStandinModel(standin);
    process.stdout.write(
      `\ncross-encoder on SciFact test × top-${DEPTH} BM25 (${pairs.length} pairs), CPU, ` +
        `intra-op threads = cores; outside = wall − session.run, split into tokenizing (timed alone) and the rest (batching, tensors, copies)\n` +
        `  ${'model'.padEnd(26)} pass   pairs      wall  pairs/s  sess.run  outside  tokenize  batch+cp  padding\n`,
    );
    const test = await measureModel('test model (hidden 32)', testModel, pairs);
    process.stdout.write(`${rows(test)}`);
    const subset = pairs.slice(0, STANDIN_PAIRS);
    const heavy = await measureModel(`MiniLM-L6-cost stand-in`, standin, subset);
    process.stdout.write(
      `${rows(heavy)}  (stand-in: hidden ${STANDIN.hidden}, ${STANDIN.layers} layers, FFN ${STANDIN.ffn}; ` +
        `the first ${subset.length} pairs; opened in ${seconds(heavy.openMs)}, the test model in ${seconds(test.openMs)})\n`,
    );
    const verdict = (share: number) => `${pct(share)} (target ≤ 10%: ${share <= 0.1 ? 'met' : 'missed'})`;
    process.stdout.write(
      `  outside session.run, one evaluation (cold): test model ${verdict(test.cold.outsideShare)}; ` +
        `stand-in on ${subset.length} pairs ${verdict(heavy.cold.outsideShare)}\n`,
    );
    // the outside time is the model's inputs' (tokens, batches, tensors), the same for any model
    const runPerPair = heavy.cold.runMs / heavy.cold.pairs;
    const outside = test.cold.wallMs - test.cold.runMs;
    const estimate = outside / (outside + runPerPair * pairs.length);
    process.stdout.write(
      `  stand-in extrapolated to all ${pairs.length} pairs: session.run ${seconds(runPerPair * pairs.length)} ` +
        `(${(1000 / runPerPair).toFixed(1)} pairs/s), outside ${seconds(outside)} (the test model's cold pass): ${verdict(estimate)}\n`,
    );
    // the whole command a user runs, from the CLI bundle when it is built and fresh (tsx otherwise)
    const whole = measureOk(CLI, [
      'eval',
      'rerank',
      '--dataset',
      SCIFACT,
      '--model',
      testModel,
      '--device',
      'cpu',
      '--cache-dir',
      join(dir, 'cache'),
    ]);
    const ndcg = whole.stdout.match(/^ndcg_cut_10\s+\S+ -c\s+(\S+)/m)?.[1] ?? '?';
    process.stdout.write(
      `  trueboard eval rerank --model <test model> on SciFact (${pairs.length} pairs, whole process): ` +
        `wall ${seconds(whole.wallMs)}, peak RSS ${whole.maxRssMiB.toFixed(0)} MiB, nDCG@10 ${ndcg}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
