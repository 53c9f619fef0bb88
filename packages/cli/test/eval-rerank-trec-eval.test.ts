import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mulberry32, randomIndex } from '@trueboard/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrecEval, trecEvalUnavailable } from '../../metrics/test/trec-eval-build';
import { trueboard } from './cli-process';

/*
 * `trueboard eval rerank --qrels --run` against the real trec_eval 9.0.8 (built from the vendored
 * source by the metrics package's helper): the CLI's stdout must be trec_eval's, byte for byte, on a
 * generated run with tied scores (broken by docid bytes, non-ASCII ids included), graded and negative
 * labels, qrels queries missing from the run, run queries without qrels, a query whose only relevant
 * document sits at rank 32 (recip_rank 1/32 = 0.03125, which C prints 0.0312 and JavaScript's
 * toFixed 0.0313), with and without -c, -l 2, -q and -M.
 */
const unavailable = trecEvalUnavailable();
if (unavailable) console.warn(`skipping the trec_eval comparison of the CLI: ${unavailable}`);

const POOL = ['d1', 'd10', 'd2', 'D3', 'doc-\u00e9', 'doc-z', 'doc-\u{1F600}', 'x', 'a-b'];
const docid = (i: number) => `${POOL[i % POOL.length]}-${Math.floor(i / POOL.length)}`;

function generate(dir: string) {
  const rng = mulberry32(20260513);
  const run: string[] = [];
  const judgments: [string, string, number][] = [];
  for (let q = 1; q <= 45; q++) {
    const qid = q % 7 === 0 ? `Q-${q}` : String(q);
    if (q === 5) {
      // 40 documents with distinct scores; the only relevant one (label 2, relevant at -l 1 and -l 2) at rank 32
      for (let i = 0; i < 40; i++) run.push(`${qid} Q0 ${docid(i)} ${i + 1} ${100 - i} gen`);
      judgments.push([qid, docid(31), 2], [qid, docid(3), 0]);
      continue;
    }
    if (q % 11 !== 0) {
      for (let i = 0; i < 50; i++) {
        if (rng() < 0.5) continue;
        judgments.push([qid, docid(i), q === 13 ? 0 : ([-1, 0, 0, 1, 1, 2, 3][randomIndex(rng, 7)] ?? 0)]);
      }
    }
    if (q % 9 === 0) continue; // judged, missing from the run
    const picked = new Set<number>();
    const count = 5 + randomIndex(rng, 30);
    while (picked.size < count) picked.add(randomIndex(rng, 60));
    for (const i of picked) run.push(`${qid} Q0 ${docid(i)} ${randomIndex(rng, 999)} ${randomIndex(rng, 5) / 4} gen`);
  }
  const paths = { run: join(dir, 'run.trec'), trec: join(dir, 'qrels.txt'), beir: join(dir, 'qrels.tsv') };
  writeFileSync(paths.run, `${run.join('\n')}\n`);
  writeFileSync(paths.trec, judgments.map(([q, d, l]) => `${q} 0 ${d} ${l}\n`).join(''));
  writeFileSync(
    paths.beir,
    `query-id\tcorpus-id\tscore\n${judgments.map(([q, d, l]) => `${q}\t${d}\t${l}\n`).join('')}`,
  );
  return paths;
}

describe.skipIf(unavailable !== null)('trueboard eval rerank --qrels --run prints what trec_eval prints', () => {
  let trecEval = '';
  let dir = '';
  let files = { run: '', trec: '', beir: '' };
  const reference = (args: string[]) => execFileSync(trecEval, [...args, files.trec, files.run], { encoding: 'utf8' });

  beforeAll(() => {
    trecEval = buildTrecEval(false);
    dir = mkdtempSync(join(tmpdir(), 'tb-eval-rerank-'));
    files = generate(dir);
  }, 180_000);
  afterAll(() => {
    for (const d of [dir, trecEval && dirname(trecEval)]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const METRICS = 'ndcg_cut.5,10,map,recip_rank,P.5,10,recall.5,100,success.1,10';
  const TREC_M = ['-m', 'ndcg_cut.5,10', '-m', 'map', '-m', 'recip_rank', '-m', 'P.5,10', '-m', 'recall.5,100'];
  const cases: { ours: string[]; theirs: string[] }[] = [
    { ours: [], theirs: [] },
    { ours: ['--complete'], theirs: ['-c'] },
    { ours: ['--rel-level', '2'], theirs: ['-l', '2'] },
    { ours: ['--complete', '--rel-level', '2', '--per-query'], theirs: ['-c', '-l', '2', '-q'] },
    { ours: ['--per-query'], theirs: ['-q'] },
  ];

  for (const { ours, theirs } of cases) {
    it(`with ${theirs.join(' ') || 'no flags'}, from TREC and from BEIR qrels`, async () => {
      const expected = reference([...theirs, ...TREC_M, '-m', 'success.1,10']);
      expect(expected.split('\n').length).toBeGreaterThan(theirs.includes('-q') ? 300 : 10);
      for (const qrels of [files.trec, files.beir]) {
        const r = await trueboard([
          'eval',
          'rerank',
          '--qrels',
          qrels,
          '--run',
          files.run,
          '--metrics',
          METRICS,
          ...ours,
        ]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(expected);
      }
    });
  }

  it('prints 1/32 as C does, and a measure cut with @k as trec_eval -M k', async () => {
    const perQuery = await trueboard([
      'eval',
      'rerank',
      '--qrels',
      files.trec,
      '--run',
      files.run,
      '--per-query',
      '--metrics',
      'recip_rank',
    ]);
    expect(perQuery.stdout).toContain('recip_rank            \t5\t0.0312\n');
    const cut = await trueboard([
      'eval',
      'rerank',
      '--qrels',
      files.trec,
      '--run',
      files.run,
      '--per-query',
      '--metrics',
      'recip_rank@10,map@10',
    ]);
    expect(cut.code, cut.stderr).toBe(0);
    const expected = reference(['-q', '-M', '10', '-m', 'map', '-m', 'recip_rank']);
    expect(cut.stdout).toBe(expected.replace(/^(map|recip_rank) +\t/gm, (_, name) => `${`${name}@10`.padEnd(22)}\t`));
  });

  it('writes the means and per-query values with the flags that made them (--out)', async () => {
    const out = join(dir, 'metrics.json');
    const r = await trueboard([
      'eval',
      'rerank',
      '--qrels',
      files.beir,
      '--run',
      files.run,
      '--complete',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const expected = reference(['-c', '-q', '-m', 'ndcg_cut.10', '-m', 'map', '-m', 'recip_rank', '-m', 'recall.100']);
    const all = (name: string) => Number(expected.match(new RegExp(`^${name} +\\tall\\t(\\S+)$`, 'm'))?.[1]);
    expect(report.averaging).toBe('all-qrels');
    expect(report.trecEval).toBe('trec_eval -c -l 1');
    for (const m of report.measures) expect(Math.abs(m.mean - all(m.trecEvalName))).toBeLessThanOrEqual(5e-5);
    // -c: every judged query, those missing from the run included (5 of them: 9, 18, 27, 36, 45)
    expect(report.queries.filter((q: { inRun: boolean }) => !q.inRun).map((q: { qid: string }) => q.qid)).toEqual([
      '18',
      '27',
      '36',
      '45',
      '9',
    ]);
    const q5 = report.queries.find((q: { qid: string }) => q.qid === '5');
    expect(q5.values.recip_rank).toBe(1 / 32);
  });
});
