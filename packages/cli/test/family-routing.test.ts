import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '@trueboard/contracts';
import { submit } from '@trueboard/core';
import { packDirectory } from '@trueboard/core/pack-directory';
import { datasetVersions, exampleResults, results, submissions } from '@trueboard/db';
import { Runner, type RunnerEvent } from '@trueboard/kit';
import {
  goodPredictions,
  LORA_PROBE_DIR,
  loraProbeEvaluator,
  probeAdapter,
  probeFamilies,
  probeScenario,
  serveTestPlatform,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  toyEvaluator,
  toyScenario,
  trpcHttp,
} from '@trueboard/testkit';
import { asc, eq } from 'drizzle-orm';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyView, familyViews } from '../../../apps/web/families';
import type { BoardRow } from '../../../apps/web/families/types';
import { zip } from '../../../runners/kit/test/archives';
import { runCli } from './helpers';

/*
 * Two families side by side on the real platform: the toy evaluator posing as text2sql and the
 * probe posing as LoRA (a directory artifact and a benchmark asset). Each runner claims only its own
 * family's runs, both boards list their entries through the API, and `trueboard eval` scores the
 * same artifacts offline to the same rows.
 */

const TEST_EVALUATORS = fileURLToPath(new URL('../../testkit/src/test-evaluators.ts', import.meta.url));

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
const scratch = mkdtempSync(join(tmpdir(), 'tb-routing-'));

/** An adapter directory on disk with the probe's weights scoring `correct` of four. */
function adapterDir(name: string, correct: 0 | 1 | 2 | 3 | 4): string {
  const dir = join(scratch, name);
  for (const f of probeAdapter(correct)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.body);
  }
  return dir;
}

/** Runs a kit runner for `family` until it has done `jobs` jobs; returns the jobs it started. */
async function runJobs(runner: 'text2sql' | 'lora', jobs: number): Promise<Job[]> {
  const started: Job[] = [];
  const outcomes: string[] = [];
  const r = new Runner({
    server: srv.baseUrl,
    token: cast.runnerToken.secret,
    families: [runner],
    device: 'cpu',
    evaluators: runner === 'text2sql' ? { text2sql: toyEvaluator } : { lora: loraProbeEvaluator },
    cacheDir: join(scratch, `cache-${runner}`),
    hostname: `${runner}-box`,
    waitSeconds: 1,
    once: jobs,
    onEvent: (e: RunnerEvent) => {
      if (e.type === 'job-started') started.push(e.job);
      if (e.type === 'job-finished') outcomes.push(e.outcome);
    },
  });
  await r.start();
  expect(outcomes).toEqual(started.map(() => 'completed'));
  return started;
}

const stateOf = async (id: string) => (await p.db.select().from(submissions).where(eq(submissions.id, id)))[0]?.state;

async function storedRows(submissionId: string) {
  const [result] = await p.db.select().from(results).where(eq(results.submissionId, submissionId));
  if (!result) throw new Error(`no result for ${submissionId}`);
  const rows = await p.db
    .select()
    .from(exampleResults)
    .where(eq(exampleResults.resultId, result.id))
    .orderBy(asc(exampleResults.exampleId));
  return { result, rows: rows.map((r) => ({ id: r.exampleId, verdict: r.verdict, data: r.data })) };
}

const ids: Record<'toyGood' | 'toyPerfect' | 'loraTar' | 'loraZip', string> = {
  toyGood: '',
  toyPerfect: '',
  loraTar: '',
  loraZip: '',
};

beforeAll(async () => {
  p = await testPlatform({ leaseSeconds: 60, dailyQuota: 100 }, { families: probeFamilies });
  cast = await toyScenario(p);
  await probeScenario(p, cast);
  srv = await serveTestPlatform(p);
  const owner = cast.acme.owner.actor;
  const method = cast.method.id;
  const tar = join(scratch, 'adapter-3.tar');
  await packDirectory(adapterDir('adapter-3', 3), tar);
  // queued in an order that mixes the families: a runner claiming any family would take a wrong one
  ids.loraTar = (await submit(p, owner, { benchmark: 'lora-probe', method }, await readFile(tar))).id;
  ids.toyGood = (await submit(p, owner, { benchmark: 'toy-qa', method }, goodPredictions())).id;
  const zipped = zip(probeAdapter(4).map((f) => ({ name: f.path, body: f.body })));
  ids.loraZip = (await submit(p, owner, { benchmark: 'lora-probe', method }, zipped)).id;
  ids.toyPerfect = (await submit(p, owner, { benchmark: 'toy-qa', method }, goodPredictions({ q3: 'Madrid' }))).id;
});
afterAll(async () => {
  await srv?.close();
  await p?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('two families on one platform', () => {
  it('each runner claims only the runs of its own family', async () => {
    // turn by turn, so that each runner claims while the other family's runs are queued too
    const jobs: Job[] = [];
    for (const family of ['text2sql', 'lora', 'text2sql', 'lora'] as const) {
      const [job, ...more] = await runJobs(family, 1);
      expect([job?.family, more]).toEqual([family, []]);
      if (job) jobs.push(job);
    }
    const claimed = (family: string) =>
      jobs
        .filter((j) => j.family === family)
        .map((j) => j.submissionId)
        .sort();
    expect(claimed('text2sql')).toEqual([ids.toyGood, ids.toyPerfect].sort());
    expect(claimed('lora')).toEqual([ids.loraTar, ids.loraZip].sort());
    // the probe's job carries the benchmark's asset, which it read from the runner's cache
    expect(Object.keys(jobs[1]?.dataset.assets ?? {})).toEqual(['offsets.json']);
    for (const id of Object.values(ids)) expect(await stateOf(id)).toBe('finished');
  });

  it('lists the scored entries of both boards through the API', async () => {
    type Board = {
      benchmark: { family: string };
      columns: { key: string }[];
      extraColumns: { key: string }[];
      rows: { submissionId: string; metrics: Record<string, { value: number }>; extra: Record<string, unknown> }[];
    };
    const board = (benchmark: string) => trpcHttp<Board>(srv.baseUrl, 'benchmarks.leaderboard', { benchmark });
    const scores = (b: Board) => b.rows.map((r) => [r.submissionId, r.metrics[b.columns[0]?.key ?? '']?.value]);
    const toy = await board('toy-qa');
    expect(toy.benchmark.family).toBe('text2sql');
    expect(scores(toy)).toEqual([
      [ids.toyPerfect, 100],
      [ids.toyGood, 80],
    ]);
    const lora = await board('lora-probe');
    expect(lora.benchmark.family).toBe('lora');
    expect(lora.columns[0]?.key).toBe('accuracy/sum');
    expect(scores(lora)).toEqual([
      [ids.loraZip, 100],
      [ids.loraTar, 75],
    ]);
    // the family's own column (the LoRA view renders it), from the method's learning rate
    expect(lora.extraColumns.map((c) => c.key)).toEqual(['learning-rate']);
    expect(lora.rows.map((r) => r.extra['learning-rate'])).toEqual([0.0003, 0.0003]);
    // and each board renders through its family's web view (the one the board page looks up)
    const rendered = (b: Board) => {
      const view = familyView(b.benchmark.family);
      const cells = b.rows.flatMap((r, i) =>
        view.board.columns.map((c) => createElement('td', { key: `${i}-${c.key}` }, c.cell(r as unknown as BoardRow))),
      );
      return { label: view.label, headers: view.board.columns.map((c) => c.header), html: renderToStaticMarkup(cells) };
    };
    expect(rendered(lora)).toEqual({
      label: 'LoRA-variant adapters',
      headers: ['Learning rate'],
      html: '<td>3.0e-4</td><td>3.0e-4</td>',
    });
    expect(rendered(toy)).toMatchObject({ label: familyViews.text2sql.label, headers: [], html: '' });
  });

  it('`trueboard eval` scores the same artifacts offline to the rows the runners uploaded', async () => {
    const out = (name: string) => join(scratch, `${name}.json`);
    writeFileSync(join(scratch, 'good.json'), goodPredictions());
    const cache = ['--cache-dir', join(scratch, 'eval-cache'), '--evaluators', TEST_EVALUATORS];
    const toy = await runCli([
      'eval',
      'text2sql',
      '--dataset',
      TOY_QA_DIR,
      '--predictions',
      join(scratch, 'good.json'),
      '--out',
      out('toy'),
      ...cache,
    ]);
    expect(toy.code, toy.output).toBe(0);
    // the directory the tar submission was packed from: eval packs it the same way
    const lora = await runCli([
      'eval',
      'lora',
      '--dataset',
      LORA_PROBE_DIR,
      '--predictions',
      join(scratch, 'adapter-3'),
      '--out',
      out('lora'),
      ...cache,
    ]);
    expect(lora.code, lora.output).toBe(0);
    expect(lora.output).toMatch(/accuracy\s+sum\s+75\.00/);
    for (const [name, id] of [
      ['toy', ids.toyGood],
      ['lora', ids.loraTar],
    ] as const) {
      const report = JSON.parse(readFileSync(out(name), 'utf8'));
      const { result, rows } = await storedRows(id);
      const local = [...report.examples]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((e: { id: string; verdict: number; data: unknown }) => ({ id: e.id, verdict: e.verdict, data: e.data }));
      expect(local).toEqual(rows);
      const [version] = await p.db
        .select()
        .from(datasetVersions)
        .where(eq(datasetVersions.id, result.datasetVersionId));
      const [s] = await p.db.select().from(submissions).where(eq(submissions.id, id));
      expect(report.provenance).toMatchObject({
        datasetHash: version?.contentHash,
        artifactHash: s?.artifactSha256,
        evaluator: result.provenance.evaluator,
        evaluatorVersion: result.provenance.evaluatorVersion,
      });
    }
  });
});
