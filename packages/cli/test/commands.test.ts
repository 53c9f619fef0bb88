import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '@trueboard/core';
import { benchmarks, datasetVersions, submissions } from '@trueboard/db';
import {
  makeTeam,
  serveTestPlatform,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  toyScenario,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TOY_EVALUATOR } from './helpers';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
const tmp = () => mkdtempSync(join(tmpdir(), 'tb-cli-'));

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
});
afterAll(async () => {
  await srv.close();
  await p.close();
});

describe('trueboard eval', () => {
  it('scores predictions offline and writes the EvaluationReport', async () => {
    const dir = tmp();
    const preds = join(dir, 'preds.json');
    writeFileSync(
      preds,
      JSON.stringify({ predictions: { q1: 'Paris', q2: 'Bonn', q3: 'Madrid', q4: 'Rome', q5: 'Lisbon' } }),
    );
    const out = join(dir, 'report.json');
    const r = await runCli([
      'eval',
      'text2sql',
      '--dataset',
      TOY_QA_DIR,
      '--predictions',
      preds,
      '--out',
      out,
      '--evaluators',
      TOY_EVALUATOR,
    ]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/accuracy\s+exact-match\s+80\.00\s+\[37\.55, 96\.38\]\s+5/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.examples.find((e: { id: string }) => e.id === 'q2').verdict).toBe(0);
    const [v] = await p.db.select().from(datasetVersions).where(eq(datasetVersions.benchmarkId, 'toy-qa'));
    // the offline report names the same dataset hash the platform computed on import
    expect(report.provenance.datasetHash).toBe(v?.contentHash);
  });

  it('fails with a one-line reason on bad input', async () => {
    const dir = tmp();
    const preds = join(dir, 'preds.json');
    writeFileSync(preds, '{"predictions": ');
    const r = await runCli([
      'eval',
      'text2sql',
      '--dataset',
      TOY_QA_DIR,
      '--predictions',
      preds,
      '--evaluators',
      TOY_EVALUATOR,
    ]);
    expect(r.code).toBe(1);
    expect(r.output.trim().split('\n').at(-1)).toMatch(/^trueboard: bad predictions: artifact is not valid JSON/);
    const unknown = await runCli(['eval', 'vision', '--dataset', TOY_QA_DIR, '--predictions', preds]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('trueboard: unknown family "vision"; one of text2sql, rerank, lora');
  });

  it('scores several predictions files in one run, one report each, and names a bad one without stopping', async () => {
    const dir = tmp();
    const files = {
      good: { q1: 'Paris', q2: 'Bonn', q3: 'Madrid', q4: 'Rome', q5: 'Lisbon' },
      perfect: { q1: 'Paris', q2: 'Berlin', q3: 'Madrid', q4: 'Rome', q5: 'Lisbon' },
    };
    for (const [name, predictions] of Object.entries(files))
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ predictions }));
    writeFileSync(join(dir, 'broken.json'), '{"predictions": ');
    const out = join(dir, 'reports');
    const base = ['eval', 'text2sql', '--dataset', TOY_QA_DIR, '--evaluators', TOY_EVALUATOR];
    const paths = ['good', 'broken', 'perfect'].map((n) => join(dir, `${n}.json`));
    const r = await runCli([...base, '--out', out, '--predictions', ...paths]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain(`trueboard: bad predictions: ${paths[1]}: artifact is not valid JSON`);
    expect(r.output).toMatch(/good\.json\n[\s\S]*accuracy\s+exact-match\s+80\.00/);
    expect(r.output).toMatch(/perfect\.json\n[\s\S]*accuracy\s+exact-match\s+100\.00/);
    const report = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    expect(report('good').metrics[0].value).toBe(80);
    expect(report('perfect').metrics[0].value).toBe(100);
    // the option may also be repeated; each report is the one a run of its own writes
    const alone = join(dir, 'alone.json');
    expect((await runCli([...base, '--predictions', paths[2] ?? '', '--out', alone])).code).toBe(0);
    const twice = await runCli([
      ...base,
      '--out',
      out,
      '--predictions',
      paths[0] ?? '',
      '--predictions',
      paths[2] ?? '',
    ]);
    expect(twice.code, twice.output).toBe(0);
    const { provenance: _a, ...one } = JSON.parse(readFileSync(alone, 'utf8'));
    const { provenance: _b, ...both } = report('perfect');
    expect(both).toEqual(one);
  });
});

describe('trueboard benchmark import', () => {
  it('uploads the files and registers version 1; a second import is a no-op', async () => {
    const dir = tmp();
    cpSync(TOY_QA_DIR, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, id: 'toy-qa-copy', ownerTeam: 'imports' }));
    await makeTeam(p, 'imports');
    const admin = await createApiToken(p, cast.admin.actor, { name: 'import' });
    const args = ['benchmark', 'import', dir, '--server', srv.baseUrl, '--token', admin.secret];
    const first = await runCli(args);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/toy-qa-copy: registered version 1 \(1 files, [0-9a-f]{12}\)/);
    const again = await runCli(args);
    expect(again.output).toContain('toy-qa-copy: already registered with identical data');
    const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, 'toy-qa-copy'));
    expect(b?.primaryMetric).toBe('accuracy');
  });

  it('names the file and the field of a malformed manifest, and stores nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'gold.json'), '{}');
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        id: 'Bad Id',
        name: 'x',
        family: 'text2sql',
        metrics: [{ name: 'ex', label: 'EX' }],
        primaryMetric: 'f1',
        files: ['gold.json'],
      }),
    );
    const r = await runCli(['benchmark', 'import', dir, '--server', srv.baseUrl, '--token', cast.ownerToken.secret]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`trueboard: bad input: ${join(dir, 'manifest.json')}: id: use lowercase letters`);
    expect(r.output).toContain('primaryMetric: "f1" is not one of the declared metrics (ex)');
    expect(await p.db.select().from(benchmarks).where(eq(benchmarks.id, 'bad-id'))).toHaveLength(0);
    writeFileSync(join(dir, 'manifest.json'), '{ "id": "x", ');
    const broken = await runCli([
      'benchmark',
      'import',
      dir,
      '--server',
      srv.baseUrl,
      '--token',
      cast.ownerToken.secret,
    ]);
    expect(broken.output).toMatch(/manifest\.json: not valid JSON/);
  });

  it('refuses anyone but a platform admin (no team is on the allow-list here)', async () => {
    const dir = tmp();
    cpSync(TOY_QA_DIR, dir, { recursive: true });
    const r = await runCli(['benchmark', 'import', dir, '--server', srv.baseUrl, '--token', cast.ownerToken.secret]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      'trueboard: uploading dataset files needs a platform admin, or the maintainer role in a team on the TRUEBOARD_BENCHMARK_TEAMS allow-list',
    );
  });
});

describe('trueboard token and submit', () => {
  it('creates a token after signing in, then submits with it and waits for the result', async () => {
    const created = await runCli(
      ['token', 'create', '--name', 'laptop', '--server', srv.baseUrl, '--email', cast.acme.owner.email],
      {
        TRUEBOARD_PASSWORD: cast.acme.owner.password,
      },
    );
    expect(created.code, created.output).toBe(0);
    const secret = created.output.split('\n').find((l) => l.startsWith('tbu_'));
    expect(secret).toMatch(/^tbu_[A-Za-z0-9_-]{43}$/);
    const dir = tmp();
    const file = join(dir, 'preds.json');
    writeFileSync(file, JSON.stringify({ predictions: { q1: 'Paris' } }));
    const sub = await runCli([
      'submit',
      '--benchmark',
      'toy-qa',
      '--file',
      file,
      '--team',
      'acme',
      '--method-name',
      'CLI method',
      '--learning-rate',
      '0.001',
      '--server',
      srv.baseUrl,
      '--token',
      secret ?? '',
    ]);
    expect(sub.code, sub.output).toBe(0);
    const id = sub.output.split('\n')[0] ?? '';
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, id));
    expect(row?.state).toBe('queued');
  });

  it('explains a wrong token, a wrong password and an unreachable server', async () => {
    const dir = tmp();
    const file = join(dir, 'preds.json');
    writeFileSync(file, '{}');
    const wrong = await runCli([
      'submit',
      '--benchmark',
      'toy-qa',
      '--file',
      file,
      '--method',
      cast.method.id,
      '--server',
      srv.baseUrl,
      '--token',
      'tbu_nope',
    ]);
    expect(wrong.code).toBe(1);
    // every error from the server names its request, so it can be found in the server's log
    expect(wrong.output.trim()).toMatch(/^trueboard: sign in first \(request id [0-9a-f-]{36}\)$/);
    const pw = await runCli(
      ['token', 'create', '--name', 'x', '--server', srv.baseUrl, '--email', cast.acme.owner.email],
      { TRUEBOARD_PASSWORD: 'wrong' },
    );
    expect(pw.output.trim()).toMatch(
      /^trueboard: sign-in failed: wrong email or password \(request id [0-9a-f-]{36}\)$/,
    );
    const down = await runCli([
      'submit',
      '--benchmark',
      'toy-qa',
      '--file',
      file,
      '--method',
      cast.method.id,
      '--server',
      'http://127.0.0.1:9',
      '--token',
      'tbu_x',
    ]);
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/^trueboard: /);
  });

  it('never prints a token from the environment in --help, and still uses it', async () => {
    const secret = 'tbu_this-must-never-be-printed';
    for (const cmd of [['submit'], ['benchmark', 'import'], ['token', 'create'], ['impact']]) {
      const help = await runCli([...cmd, '--help'], { TRUEBOARD_TOKEN: secret, TRUEBOARD_RUNNER_TOKEN: secret });
      expect(help.code, help.output).toBe(0);
      expect(help.output).not.toContain(secret);
      expect(help.output).toContain('(env: TRUEBOARD_TOKEN)');
    }
    const runnerHelp = await runCli(['runner', '--help'], { TRUEBOARD_RUNNER_TOKEN: secret });
    expect(runnerHelp.output).not.toContain(secret);
    expect(runnerHelp.output).toContain('(env: TRUEBOARD_RUNNER_TOKEN)');
    const file = join(tmp(), 'preds.json');
    writeFileSync(file, '{}');
    const viaEnv = await runCli(
      ['submit', '--benchmark', 'toy-qa', '--file', file, '--method', cast.method.id, '--server', srv.baseUrl],
      { TRUEBOARD_TOKEN: 'tbu_nope' },
    );
    expect(viaEnv.output.trim()).toMatch(/^trueboard: sign in first \(request id [0-9a-f-]{36}\)$/);
  });
});
