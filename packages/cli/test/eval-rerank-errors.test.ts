import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trueboard } from './cli-process';
import { REPO } from './helpers';

/*
 * What `trueboard eval rerank` says when its input is wrong: one line `trueboard: <reason>` naming the
 * option, the file and the line, and exit code 1. Also that the family's own options are declared
 * for `eval rerank` only, and that the generic command is unchanged for other families.
 */
const FIXTURE = join(REPO, 'runners', 'rerank', 'test', 'fixtures', 'beir-small');
const QRELS = join(FIXTURE, 'qrels', 'test.tsv');
const RUN = join(FIXTURE, 'run.trec');

let dir = '';
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tb-eval-rerank-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fails(args: string[]): Promise<string> {
  const r = await trueboard(['eval', 'rerank', ...args]);
  expect(r.stdout).toBe('');
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

describe('trueboard eval rerank refuses', () => {
  it('an unknown measure, listing the ones it knows', async () => {
    expect(await fails(['--qrels', QRELS, '--run', RUN, '--metrics', 'ndcg_cut.10,bpref'])).toBe(
      "trueboard: --metrics: unknown measure 'bpref': expected one of ndcg_cut.<k>, P.<k>, recall.<k>, success.<k>, map, recip_rank, optionally with @<depth>",
    );
  });

  it('missing files', async () => {
    const none = join(dir, 'none.txt');
    expect(await fails(['--qrels', none, '--run', RUN])).toBe(`trueboard: --qrels ${none}: no such file`);
    expect(await fails(['--qrels', QRELS, '--run', none])).toBe(`trueboard: --run ${none}: no such file`);
  });

  it('a malformed run line, a non-finite score and a repeated document, naming the file and line', async () => {
    const short = file('short.trec', 'q1 Q0 d1 1 2.0 t\n\nq1 Q0 d2 2\n');
    expect(await fails(['--qrels', QRELS, '--run', short])).toBe(
      "trueboard: short.trec line 3: expected 6 columns 'qid Q0 docid rank score tag', found 4",
    );
    const nan = file('nan.trec', 'q1 Q0 d1 1 2.0 t\nq1 Q0 d2 2 NaN t\n');
    expect(await fails(['--qrels', QRELS, '--run', nan])).toBe(
      "trueboard: nan.trec line 2: query 'q1' document 'd2': score 'NaN' is not finite",
    );
    const twice = file('twice.trec', 'q1 Q0 d1 1 2.0 t\nq2 Q0 d4 1 1 t\nq1 Q0 d2 2 1.5 t\nq1 Q0 d1 3 1.0 t\n');
    expect(await fails(['--qrels', QRELS, '--run', twice])).toBe(
      "trueboard: twice.trec line 4: query 'q1' ranks document 'd1' twice; trec_eval refuses a repeated document",
    );
  });

  it('malformed qrels, TREC or BEIR, naming the file and line', async () => {
    const label = file('label.qrels', 'q1 0 d1 1\nq1 0 d2 high\n');
    expect(await fails(['--qrels', label, '--run', RUN])).toBe(
      "trueboard: label.qrels line 2: query 'q1' document 'd2': label 'high' is not an integer",
    );
    const twice = file('twice.qrels', 'q1 0 d1 1\nq1 0 d2 0\nq1 0 d1 2\n');
    expect(await fails(['--qrels', twice, '--run', RUN])).toBe(
      "trueboard: twice.qrels line 3: query 'q1' judges document 'd1' twice; trec_eval refuses a repeated document",
    );
    const headless = file('headless.tsv', 'q1\td1\t1\n');
    expect(await fails(['--qrels', headless, '--run', RUN])).toBe(
      'trueboard: headless.tsv line 1: 3 columns and no BEIR header; BEIR qrels start with the line "query-id\\tcorpus-id\\tscore", TREC qrels lines are \'qid iter docid label\'',
    );
    const beir = file('beir.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\n');
    expect(await fails(['--qrels', beir, '--run', RUN])).toBe(
      'trueboard: beir.tsv line 3: expected 3 tab-separated columns (query-id, corpus-id, score), got 2',
    );
  });

  it('a run and qrels without a query in common, naming both files', async () => {
    const other = file('other.trec', 'x1 Q0 d1 1 1 t\n');
    expect(await fails(['--qrels', QRELS, '--run', other])).toMatch(
      /^trueboard: other\.trec against test\.tsv: no query is in both the run \(1 queries\) and the qrels \(5\)/,
    );
  });

  it('modes mixed or incomplete', async () => {
    expect(await fails(['--qrels', QRELS, '--run', RUN, '--model', dir])).toMatch(
      /^trueboard: --qrels and --run and --model are two modes: .*; use one$/,
    );
    expect(await fails(['--run', RUN, '--model', dir])).toMatch(/^trueboard: --run and --model are two modes/);
    expect(await fails(['--qrels', QRELS])).toBe('trueboard: --qrels needs --run <file>: the TREC run to score');
    expect(await fails(['--qrels', QRELS, '--run', RUN, '--dataset', FIXTURE])).toMatch(
      /^trueboard: --qrels with --run scores the run file alone, without a dataset: drop --dataset/,
    );
    expect(await fails(['--dataset', FIXTURE, '--predictions', RUN, '--complete'])).toMatch(
      /^trueboard: --complete goes with --qrels and --run/,
    );
    expect(await fails(['--dataset', FIXTURE, '--predictions', RUN, '--candidates', 'bm25'])).toBe(
      'trueboard: --candidates go with --model <onnx-dir>',
    );
    expect(await fails(['--qrels', QRELS, '--run', RUN, '--rel-level', 'two'])).toBe(
      "trueboard: --rel-level must be a whole number, got 'two'",
    );
    expect(await fails(['--dataset', FIXTURE, '--model', dir, '--depth', '5', '--option', 'depth=10'])).toBe(
      'trueboard: --depth and --option depth=… both set the depth; give one',
    );
    expect(await fails(['--model', dir])).toBe(
      'trueboard: --model needs --dataset <beir-dir>: the corpus, queries and qrels whose candidates it re-ranks',
    );
  });

  it('a model directory without tokenizer.json, before reading the dataset', async () => {
    const model = join(dir, 'no-tokenizer');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'model.onnx'), 'not read');
    expect(await fails(['--dataset', FIXTURE, '--model', model, '--candidates', RUN])).toBe(
      `trueboard: --model ${model}: tokenizer.json is missing; a cross-encoder directory holds model.onnx and tokenizer.json, as \`optimum-cli export onnx --task text-classification\` writes them`,
    );
    expect(await fails(['--dataset', FIXTURE, '--model', RUN])).toBe(
      `trueboard: --model ${RUN}: not a directory; give the exported model directory, or a .tar, .tar.gz or .zip of it`,
    );
  });

  it('--model on a dataset that names no candidates, saying how to give them', async () => {
    const model = join(dir, 'model-stub');
    mkdirSync(model, { recursive: true });
    for (const f of ['model.onnx', 'tokenizer.json']) writeFileSync(join(model, f), '{}');
    expect(await fails(['--dataset', FIXTURE, '--model', model])).toMatch(
      /^trueboard: --model re-ranks candidates, and .* names none .*: give --candidates <run file> or --candidates bm25$/,
    );
    expect(await fails(['--dataset', FIXTURE, '--model', model, '--candidates', join(dir, 'none.trec')])).toBe(
      `trueboard: --candidates ${join(dir, 'none.trec')}: no such file (a TREC run, or 'bm25')`,
    );
  });

  it('the generic evaluation without --dataset, as commander words a required option', async () => {
    const r = await trueboard(['eval', 'rerank', '--predictions', RUN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: required option '--dataset <dir>' not specified");
  });
});

describe('the family options', () => {
  it('are listed by `eval rerank --help` with its modes, and by no other', async () => {
    const rerank = await trueboard(['eval', 'rerank', '--help']);
    expect(rerank.code).toBe(0);
    for (const flag of [
      '--qrels <file>',
      '--run <file>',
      '--metrics <list>',
      '--model <onnx-dir>',
      '--candidates <run|bm25>',
    ])
      expect(rerank.stdout).toContain(flag);
    expect(rerank.stdout).toContain('Modes of trueboard eval rerank:');
    // options before the family are skipped, values included
    const later = await trueboard([
      'eval',
      '--seed',
      '3',
      '--option',
      'a=1',
      'b=2',
      '--device',
      'cpu',
      'rerank',
      '--help',
    ]);
    expect(later.stdout).toContain('--qrels <file>');
    for (const args of [
      ['eval', '--help'],
      ['eval', 'text2sql', '--help'],
      ['help', 'eval'],
    ]) {
      const r = await trueboard(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--predictions <file...>');
      expect(r.stdout).not.toContain('--qrels');
    }
  });

  it('are unknown to the other families: text2sql keeps its required options', async () => {
    const r = await trueboard(['eval', 'text2sql', '--qrels', QRELS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: required option '--dataset <dir>' not specified");
  });
});
