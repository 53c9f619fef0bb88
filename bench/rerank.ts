import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, randomIndex } from '@trueboard/metrics';
import { build } from 'esbuild';
import { buildTrecEval, parseTrecEvalOutput, trecEvalUnavailable } from '../packages/metrics/test/trec-eval-build';
import { type Measured, measureOk, seconds } from './measure';

/**
 * `npm run bench -- rerank`: our streaming trec_eval-exact evaluation against the reference trec_eval
 * 9.0.8 (built here), in the same run, on a generated 7,000-query × 1,000-document run (~300 MB) with
 * graded qrels. Targets: wall ≤ 1.0× and peak RSS ≤ 0.5× trec_eval's. Our means must equal trec_eval's
 * to its 4 printed decimals, or the bench fails.
 */
const QUERIES = Number(process.env.BENCH_QUERIES ?? 7000);
const DOCS = Number(process.env.BENCH_DOCS ?? 1000);
const MEASURES = ['ndcg_cut.10', 'map', 'recip_rank', 'recall.100'];
const EVAL = fileURLToPath(new URL('./rerank-eval.ts', import.meta.url));

/** Writes one query's lines at a time, so that the ~300 MB file is never held whole. */
async function writeQueries(path: string, query: (q: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let buffered: string[] = [];
  let size = 0;
  for (let q = 1; q <= QUERIES; q++) {
    const text = query(q);
    buffered.push(text);
    size += text.length;
    if (size > 1 << 22 || q === QUERIES) {
      if (!out.write(buffered.join(''))) await once(out, 'drain');
      buffered = [];
      size = 0;
    }
  }
  out.end();
  await once(out, 'finish');
}

async function generate(dir: string): Promise<{ run: string; qrels: string }> {
  const rng = mulberry32(7);
  const run = join(dir, 'run.txt');
  const qrels = join(dir, 'qrels.txt');
  // Distinct within a query (104729 is prime, so i ↦ i·104729 mod 5e6 is injective below 5e6).
  const docOf = (q: number, i: number) => `D${String((q * 7919 + i * 104729) % 5_000_000).padStart(8, '0')}`;
  await writeQueries(run, (q) => {
    let text = '';
    // Two decimals over a small range: plenty of ties, broken by docid.
    for (let i = 0; i < DOCS; i++) text += `${q} Q0 ${docOf(q, i)} ${i + 1} ${(rng() * 30).toFixed(2)} rerank-bench\n`;
    return text;
  });
  await writeQueries(qrels, (q) => {
    // 60 judgments a query, graded 0-3 with a few negative ones; 10 of them never retrieved.
    let text = '';
    const offset = randomIndex(rng, DOCS);
    for (let j = 0; j < 60; j++) {
      const i = j < 50 ? (offset + j * 37) % DOCS : DOCS + j;
      text += `${q} 0 ${docOf(q, i)} ${[-1, 0, 0, 0, 1, 1, 2, 3][randomIndex(rng, 8)]}\n`;
    }
    return text;
  });
  return { run, qrels };
}

function means(m: Measured): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, values] of parseTrecEvalOutput(m.stdout)) {
    const all = values.get('all');
    if (all !== undefined) out.set(name.replace('.', '_'), all);
  }
  return out;
}

/**
 * Both parts, or one: BENCH_RERANK=metrics (trec_eval against ours) or BENCH_RERANK=cross-encoder
 * (pairs/s and the time outside session.run, see rerank-cross-encoder.ts).
 */
export async function main() {
  const part = process.env.BENCH_RERANK ?? 'all';
  if (!['all', 'metrics', 'cross-encoder'].includes(part)) {
    throw new Error(`BENCH_RERANK=${part}: expected metrics, cross-encoder or all (the default)`);
  }
  if (part !== 'cross-encoder') await metricsBench();
  if (part !== 'metrics') await (await import('./rerank-cross-encoder')).crossEncoderBench();
}

async function metricsBench() {
  const unavailable = trecEvalUnavailable();
  if (unavailable) throw new Error(`cannot run the rerank bench: ${unavailable}`);
  const trecEval = buildTrecEval(false);
  const dir = await mkdtemp(join(tmpdir(), 'tb-bench-rerank-'));
  try {
    const t0 = Date.now();
    const { run, qrels } = await generate(dir);
    const { size } = await stat(run);
    process.stdout.write(
      `generated ${QUERIES} queries × ${DOCS} docs (${(size / 1024 ** 2).toFixed(0)} MiB) in ${seconds(Date.now() - t0)}\n`,
    );
    const theirs = measureOk(trecEval, ['-c', ...MEASURES.flatMap((m) => ['-m', m]), qrels, run]);
    // Plain JavaScript, as the CLI ships (packages/cli/build.mjs): no transpiling inside the measured process.
    const bundle = join(dir, 'rerank-eval.mjs');
    await build({
      entryPoints: [EVAL],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'error',
    });
    const ours = measureOk(process.execPath, [bundle, qrels, run, ...MEASURES]);
    const expected = means(theirs);
    for (const [name, value] of means(ours)) {
      const reference = expected.get(name);
      // trec_eval prints 4 decimals (rounding half to even): agree within half a unit of the last one.
      if (reference === undefined || !(Math.abs(value - reference) <= 5.0001e-5)) {
        throw new Error(`${name}: ours ${value}, trec_eval ${reference}`);
      }
      process.stdout.write(`  ${name.padEnd(12)} ours ${value.toFixed(6)}  trec_eval ${reference.toFixed(4)}\n`);
    }
    const row = (label: string, m: Measured) =>
      `  ${label.padEnd(10)} wall ${seconds(m.wallMs).padStart(8)}   peak RSS ${m.maxRssMiB.toFixed(0).padStart(5)} MiB\n`;
    process.stdout.write(row('trec_eval', theirs) + row('ours', ours));
    const wall = ours.wallMs / theirs.wallMs;
    const rss = ours.maxRssMiB / theirs.maxRssMiB;
    process.stdout.write(
      `  ratio      wall ${wall.toFixed(2)}× (target ≤ 1.0: ${wall <= 1 ? 'met' : 'missed'})   ` +
        `peak RSS ${rss.toFixed(2)}× (target ≤ 0.5: ${rss <= 0.5 ? 'met' : 'missed'})\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
