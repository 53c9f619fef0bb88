import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInstalled } from '@trueboard/contracts';
import { families } from '@trueboard/families';
import { runCli } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rerankEvaluator } from '../src/evaluator';
import { rerankFamily } from '../src/family';
import { FIXTURE, scoreRun } from './evaluator-helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rerank-family-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the re-ranking family module', () => {
  it('is installed in the registry, and loads its evaluator on demand', async () => {
    const entry = families.rerank;
    expect(isInstalled(entry)).toBe(true);
    expect(entry).toBe(rerankFamily);
    expect(await rerankFamily.evaluator()).toBe(rerankEvaluator);
    // a run file or a model directory's archive, told apart by the bytes (evaluator-model.test.ts)
    expect(rerankFamily.artifact).toMatchObject({ kind: 'file-or-directory', maxBytes: 512 * 1024 * 1024 });
    expect((await rerankFamily.evaluator()).artifact?.kind).toBe('file-or-directory');
    expect(rerankFamily.artifact.extensions).toEqual(['.trec', '.txt', '.run', '.tar', '.tar.gz', '.tgz', '.zip']);
    expect(rerankFamily.annotations).toEqual([]);
    expect(rerankFamily.correctionValidator).toBeUndefined();
  });

  it('heads boards with the metric and semantics the evaluator reports, and its rows parse with its schema', async () => {
    const report = await scoreRun(FIXTURE, join(FIXTURE, 'run.trec'), { relevanceLevel: 2 });
    const { metric, semantics } = rerankFamily.primary;
    // nDCG ignores the threshold, so the headline's semantics is the same under any settings
    expect(report.metrics.filter((m) => m.name === metric).map((m) => m.semantics)).toEqual([
      semantics({ relevanceLevel: 2 }),
    ]);
    expect(report.metrics.find((m) => m.name === 'map')?.semantics).toBe('trec_eval -c -l 2');
    for (const e of report.examples) expect(rerankFamily.rows.schema.safeParse(e.data).success, e.id).toBe(true);
    expect(rerankFamily.rows.schema.safeParse({ ...report.examples[0]?.data, top10: 'x' }).success).toBe(false);
  });

  it("checks a run's first line before upload, naming line and column", () => {
    const check = rerankFamily.artifact.check;
    if (!check) throw new Error('no check');
    expect(check({ name: 'run.trec', text: readFileSync(join(FIXTURE, 'run.trec'), 'utf8') })).toBeNull();
    // blank lines are skipped, as the evaluator skips them; a seventh column is ignored there too
    expect(check({ name: 'r.txt', text: '\n  \nq1 Q0 d1 1 -2.5e-3 tag extra\n' })).toBeNull();
    expect(check({ name: 'r.trec', text: 'q1 Q0 d1 1 2.0\n' })).toBe(
      "r.trec line 1: expected 6 columns 'qid Q0 docid rank score tag', found 5",
    );
    expect(check({ name: 'r.trec', text: '\nq1\td1\t1\t0.5\tQ0\ttag\n' })).toMatch(
      /^r\.trec line 2: the score column \(5th\) 'Q0'/,
    );
    expect(check({ name: 'r.trec', text: 'q1 Q0 d1 1 NaN t\n' })).toMatch(/not a finite number/);
    // JavaScript's Number() reads hex, the evaluator does not: decimal numbers only
    expect(check({ name: 'r.trec', text: 'q1 Q0 d1 1 0x1F t\n' })).toMatch(/'0x1F' is not a finite number/);
    expect(check({ name: 'r.trec', text: '' })).toMatch(/the file is empty/);
    // an archive is a model directory: the evaluator checks it after unpacking
    expect(check({ name: 'model.tar.gz', text: '\u001f\u008b…' })).toBeNull();
    expect(check({ name: 'model.ZIP', text: 'PK…' })).toBeNull();
  });
});

describe('trueboard eval rerank', () => {
  it('scores a run file on a BEIR directory and writes the report', async () => {
    const out = join(dir, 'report.json');
    const r = await runCli([
      'eval',
      'rerank',
      '--dataset',
      FIXTURE,
      '--predictions',
      join(FIXTURE, 'run.trec'),
      '--out',
      out,
    ]);
    expect(r.code, r.output).toBe(0);
    // fractions to 4 decimals, as trec_eval prints them (the means are worked by hand in evaluator.test.ts)
    expect(r.output).toMatch(/ndcg_cut_10\s+trec_eval -c\s+0\.2549\s/);
    expect(r.output).toMatch(/recall_100\s+trec_eval -c -l 1\s+0\.6000\s/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.family).toBe('rerank');
    expect(report.examples).toHaveLength(5);
  }, 60_000);

  it('fails with the line of a malformed run', async () => {
    const bad = join(dir, 'bad.trec');
    writeFileSync(bad, 'q1 Q0 d1 1 2.0 t\nq1 Q0 d2 2\n');
    const r = await runCli(['eval', 'rerank', '--dataset', FIXTURE, '--predictions', bad]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/bad\.trec line 2: expected 6 columns/);
  }, 60_000);
});
