import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import { runNode, runProcess } from './cli-process';
import { REPO, TOY_EVALUATOR } from './helpers';

/*
 * The CLI as users start it (`npx trueboard`, `npm run trueboard`): bin/trueboard.cjs running the
 * bundle in dist/. `npm test` builds it first (turbo); building again here makes the test run the
 * sources as they are now. The other CLI tests run the TypeScript through tsx.
 */

const BIN = join(REPO, 'packages', 'cli', 'bin', 'trueboard.cjs');
const SPIDER = join(REPO, 'benchmarks', 'spider-dev');

/** The bundled CLI, as bin/trueboard.cjs starts it. */
const trueboard = (args: string[], env: Record<string, string> = {}) => runNode([BIN, ...args], { env });

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(REPO, 'packages', 'cli', 'build.mjs')], { encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
});

it('starts from the bundle: -V and --help load no command, and list every one', async () => {
  const v = await trueboard(['-V']);
  expect(v).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  const help = await trueboard(['--help']);
  expect(help.code).toBe(0);
  for (const name of ['start', 'migrate', 'runner', 'token', 'submit', 'benchmark', 'eval', 'export', 'corrections'])
    expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  const unknown = await trueboard(['evl']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/unknown command 'evl'[\s\S]*Did you mean eval\?/);
  // a command's own help loads that command
  const evalHelp = await trueboard(['eval', '--help']);
  expect(evalHelp.stdout).toContain('--predictions <file...>');
});

it("bin/trueboard, through npm's links, starts Node without NODE_EXTRA_CA_CERTS only for commands that open no connection", async () => {
  // npm links node_modules/.bin/trueboard to ../@trueboard/cli/bin/trueboard, and that package
  // directory is itself a link (a workspace); a global install adds an absolute link on the PATH
  const dir = mkdtempSync(join(tmpdir(), 'tb-bin-'));
  symlinkSync(join(REPO, 'packages', 'cli'), join(dir, 'cli'));
  mkdirSync(join(dir, '.bin'));
  symlinkSync('../cli/bin/trueboard', join(dir, '.bin', 'trueboard'));
  symlinkSync(join(dir, '.bin', 'trueboard'), join(dir, 'trueboard'));
  // the `node` the script starts is the first on PATH: this one notes the variable it was given
  const fake = join(dir, 'fake-node');
  mkdirSync(fake);
  const seen = join(dir, 'seen.log');
  writeFileSync(
    join(fake, 'node'),
    `#!/bin/sh\necho "$1 \${NODE_EXTRA_CA_CERTS-unset}" >> '${seen}'\nexec '${process.execPath}' "$@"\n`,
    { mode: 0o755 },
  );
  const certs = join(dir, 'extra.pem');
  const env = { NODE_EXTRA_CA_CERTS: certs, PATH: `${fake}:${process.env.PATH}` };
  const bin = join(dir, 'trueboard');
  const lastSeen = () => readFileSync(seen, 'utf8').trim().split('\n').at(-1);
  expect(await runProcess(bin, ['-V'], { env })).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  expect(lastSeen()).toMatch(/\/cli\/bin\/trueboard\.cjs unset$/);
  const preds = join(dir, 'preds.json');
  writeFileSync(
    preds,
    JSON.stringify({ predictions: { q1: 'Paris', q2: 'Bonn', q3: 'Madrid', q4: 'Rome', q5: 'Lisbon' } }),
  );
  const dataset = join(REPO, 'packages', 'testkit', 'fixtures', 'toy-qa');
  const evaluated = await runProcess(
    bin,
    ['eval', 'text2sql', '--dataset', dataset, '--predictions', preds, '--evaluators', TOY_EVALUATOR],
    { env },
  );
  expect(evaluated.code, evaluated.stderr).toBe(0);
  expect(evaluated.stdout).toMatch(/accuracy\s+exact-match\s+80\.00/);
  expect(lastSeen()).toMatch(/\/cli\/bin\/trueboard\.cjs unset$/);
  // a command that talks to a server keeps the certificates it may need
  const submit = await runProcess(bin, ['submit', '--help'], { env });
  expect(submit.stdout).toContain('Usage: trueboard submit');
  expect(lastSeen()).toBe(`${dir}/.bin/../cli/bin/trueboard.cjs ${certs}`);
});

it('scores Spider dev with the compiled SQL workers, loading no other family: the official BIRD number for CodeS-1B', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bundle-'));
  const out = join(dir, 'report.json');
  const modules = join(dir, 'modules.log');
  const recorder = pathToFileURL(join(REPO, 'packages', 'cli', 'test', 'module-recorder.mjs')).href;
  const r = await trueboard(
    ['eval', 'text2sql', '--dataset', SPIDER, '--predictions', join(SPIDER, 'baselines', 'codes-1b.sql'), '--out', out],
    { NODE_OPTIONS: `--import ${recorder}`, TB_MODULE_LOG: modules },
  );
  expect(r.code, r.stderr).toBe(0);
  // BIRD's evaluation.py prints 71.86 over all 1,034 lines; over the 972 scorable ones that is 76.44
  expect(r.stdout).toMatch(/^ex\s+bird\s+76\.44\s/m);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  expect(report.examples).toHaveLength(1034);
  expect(report.unscorable).toBe(62);
  // what it loaded: the CLI's own modules, the compiled worker (CommonJS) and SQLite in the workers,
  // and commander from the bundle; not the re-ranking family's tokenizer or ONNX runtime, nor the
  // archive and terminal libraries a predictions file on a pipe never needs (each costs start-up
  // time; see README, Performance)
  const loaded = readFileSync(modules, 'utf8');
  expect(loaded).toMatch(/packages\/cli\/dist\/sql-worker\.cjs$/m);
  expect(loaded).toMatch(/node_modules\/better-sqlite3\//);
  for (const unused of ['commander', '@huggingface', 'onnxruntime-node', 'tar', 'yauzl', 'cli-progress', 'fflate'])
    expect(loaded).not.toContain(`node_modules/${unused}/`);
});

it('runs a submitted model in the compiled ONNX worker process, not in the CLI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bundle-'));
  const model = join(dir, 'model');
  await writeTestModel(model);
  const modules = join(dir, 'modules.log');
  const recorder = pathToFileURL(join(REPO, 'packages', 'cli', 'test', 'module-recorder.mjs')).href;
  const fixture = join(REPO, 'runners', 'rerank', 'test', 'fixtures', 'beir-small');
  const r = await trueboard(
    ['eval', 'rerank', '--dataset', fixture, '--model', model, '--candidates', join(fixture, 'run.trec')],
    { NODE_OPTIONS: `--import ${recorder}`, TB_MODULE_LOG: modules, TB_MODULE_LOG_PID: '1' },
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^ndcg_cut_10\s/m);
  const lines = readFileSync(modules, 'utf8').split('\n');
  // the worker (its own pid) loads ONNX Runtime's binding; the CLI process only looks for CUDA
  const worker = lines.find((l) => /packages\/cli\/dist\/onnx-worker\.cjs$/.test(l));
  expect(worker).toBeDefined();
  const workerPid = worker?.split(' ')[0];
  expect(lines.some((l) => l.startsWith(`${workerPid} `) && l.includes('node_modules/onnxruntime-node/'))).toBe(true);
});

it('loads an evaluator module written in TypeScript (--evaluators) through tsx', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bundle-'));
  const preds = join(dir, 'preds.json');
  writeFileSync(
    preds,
    JSON.stringify({ predictions: { q1: 'Paris', q2: 'Bonn', q3: 'Madrid', q4: 'Rome', q5: 'Lisbon' } }),
  );
  const args = ['eval', 'text2sql', '--dataset', join(REPO, 'packages', 'testkit', 'fixtures', 'toy-qa')];
  const r = await trueboard([...args, '--predictions', preds, '--evaluators', TOY_EVALUATOR]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/accuracy\s+exact-match\s+80\.00/);
  // its errors are its own classes, not the bundle's: still told apart as the submitter's fault
  writeFileSync(preds, '{"predictions": ');
  const bad = await trueboard([...args, '--predictions', preds, '--evaluators', TOY_EVALUATOR]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^trueboard: bad predictions: artifact is not valid JSON/m);
});
