import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, randomIndex } from '../src/random';
import { evaluateRerank, type RerankAveraging } from '../src/rerank-eval';
import { readTrecQrelsFile, readTrecRunFile } from '../src/trec-io';
import { buildTrecEval, parseTrecEvalOutput, trecEvalUnavailable } from './trec-eval-build';

/*
 * Our evaluator against the real trec_eval 9.0.8, built here from the reference source, on generated
 * data made to hit its corners: scores from a handful of values (many ties, broken by docid bytes,
 * including non-ASCII ids), scores that differ only past the 7th digit, graded labels with 0 and
 * negative ones, judged documents never retrieved, qrels queries missing from the run, run queries
 * without qrels, a query judged only -1, and lines of one query scattered through the file.
 */
const unavailable = trecEvalUnavailable();
if (unavailable) console.warn(`skipping the trec_eval comparison: ${unavailable}`);

const TREC_MEASURES = ['ndcg_cut.5,10,20', 'map', 'recip_rank', 'P.5,10', 'recall.5,100', 'success.1,5,10'];
const OURS = ['ndcg_cut.5', 'ndcg_cut.10', 'ndcg_cut.20', 'map', 'recip_rank', 'P.5', 'P.10', 'recall.5', 'recall.100'];
const OURS_ALL = [...OURS, 'success.1', 'success.5', 'success.10'];
const POOL = ['d1', 'd10', 'd2', 'D3', 'doc-\u00e9', 'doc-z', 'doc-\u{1F600}', 'doc-\uFF21', 'x', 'xx', 'a-b'];

function generate(dir: string, seed: number): { run: string; qrels: string } {
  const rng = mulberry32(seed);
  const docid = (i: number) => `${POOL[i % POOL.length]}${i >= POOL.length ? `-${Math.floor(i / POOL.length)}` : ''}`;
  const runLines: string[] = [];
  const qrelsLines: string[] = [];
  for (let q = 1; q <= 60; q++) {
    const qid = q % 7 === 0 ? `Q-${q}` : String(q);
    const docs = 5 + randomIndex(rng, 40);
    const inRun = q % 9 !== 0; // qrels queries missing from the run
    const judged = q % 11 !== 0; // run queries without qrels
    const precise = q % 5 === 0;
    for (let i = 0; i < 60 && judged; i++) {
      if (rng() < 0.5) continue;
      const label = q === 13 ? -1 : [-1, -2, 0, 0, 0, 1, 1, 2, 3][randomIndex(rng, 9)];
      qrelsLines.push(`${qid} 0 ${docid(i)} ${label}`);
    }
    if (!inRun) continue;
    const picked = new Set<number>();
    while (picked.size < docs) picked.add(randomIndex(rng, 70));
    for (const i of picked) {
      // Five distinct values make ties common; a few queries score 0.1 + k·1e-9, which float32 would merge.
      const score = precise ? (0.1 + randomIndex(rng, 4) * 1e-9).toPrecision(12) : String(randomIndex(rng, 5) / 4);
      runLines.push(`${qid} Q0 ${docid(i)} ${randomIndex(rng, 1000)} ${score} gen`);
    }
  }
  // Scatter the lines: one query's documents need not be contiguous, and the rank column is noise.
  for (let i = runLines.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [runLines[i], runLines[j]] = [runLines[j] ?? '', runLines[i] ?? ''];
  }
  const run = join(dir, 'run.txt');
  const qrels = join(dir, 'qrels.txt');
  writeFileSync(run, `${runLines.join('\n')}\n`);
  writeFileSync(qrels, `${qrelsLines.join('\n')}\n`);
  return { run, qrels };
}

function trecName(ours: string): string {
  return ours.replace('.', '_').replace(/@\d+$/, '');
}

describe.skipIf(unavailable !== null)('agreement with trec_eval 9.0.8', () => {
  let stock = '';
  let precise = '';
  let files = { run: '', qrels: '' };

  beforeAll(() => {
    stock = buildTrecEval(false);
    precise = buildTrecEval(true);
    files = generate(mkdtempSync(join(tmpdir(), 'rerank-compat-')), 20240513);
  }, 180_000);
  afterAll(() => {
    for (const path of [stock, precise, files.run]) if (path) rmSync(dirname(path), { recursive: true, force: true });
  });

  const cases: { flags: string[]; averaging: RerankAveraging; level: number; depth: number | null }[] = [
    { flags: [], averaging: 'run∩qrels', level: 1, depth: null },
    { flags: ['-c'], averaging: 'all-qrels', level: 1, depth: null },
    { flags: ['-l', '2'], averaging: 'run∩qrels', level: 2, depth: null },
    { flags: ['-c', '-l', '2'], averaging: 'all-qrels', level: 2, depth: null },
    { flags: ['-l', '0'], averaging: 'run∩qrels', level: 0, depth: null },
    { flags: ['-M', '3'], averaging: 'run∩qrels', level: 1, depth: 3 },
    { flags: ['-c', '-M', '10'], averaging: 'all-qrels', level: 1, depth: 10 },
  ];

  for (const { flags, averaging, level, depth } of cases) {
    it(`matches per query and on average with ${flags.join(' ') || 'no flags'}`, async () => {
      const args = [...flags, '-q', ...TREC_MEASURES.flatMap((m) => ['-m', m]), files.qrels, files.run];
      const exact = parseTrecEvalOutput(execFileSync(precise, args, { encoding: 'utf8' }));
      const rounded = parseTrecEvalOutput(execFileSync(stock, args, { encoding: 'utf8' }));
      const measures = OURS_ALL.map((m) => (depth === null ? m : `${m}@${depth}`));
      const ours = evaluateRerank(await readTrecRunFile(files.run), await readTrecQrelsFile(files.qrels), {
        measures,
        averaging,
        relevanceLevel: level,
      });
      expect(ours.queries.length).toBeGreaterThan(40);
      let compared = 0;
      for (const m of ours.measures) {
        const theirs = exact.get(trecName(m.name));
        const theirs4 = rounded.get(trecName(m.name));
        if (!theirs || !theirs4) throw new Error(`trec_eval printed no ${trecName(m.name)}`);
        ours.queries.forEach((qid, i) => {
          const value = m.perQuery[i] ?? Number.NaN;
          // `-q -c` prints no line for a query missing from the run; it counts 0 in `all`.
          const expected = ours.inRun[i] ? theirs.get(qid) : 0;
          if (expected === undefined) throw new Error(`trec_eval printed no ${m.name} for query ${qid}`);
          expect(Math.abs(value - expected), `${m.name} query ${qid}`).toBeLessThanOrEqual(1e-9);
          if (ours.inRun[i]) expect(Math.abs(value - (theirs4.get(qid) ?? Number.NaN))).toBeLessThanOrEqual(5.0001e-5);
          compared++;
        });
        // Exactly the queries trec_eval printed, no more, no fewer.
        expect(theirs.size - 1).toBe(ours.inRun.filter(Boolean).length);
        expect(Math.abs(m.mean - (theirs.get('all') ?? Number.NaN)), `${m.name} mean`).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(m.mean - (theirs4.get('all') ?? Number.NaN))).toBeLessThanOrEqual(5.0001e-5);
      }
      expect(compared).toBeGreaterThan(500);
    });
  }
});
