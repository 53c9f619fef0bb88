import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken, importBenchmarkDir, submit } from '@trueboard/core';
import { packDirectory } from '@trueboard/core/pack-directory';
import { exampleResults, results } from '@trueboard/db';
import { Runner } from '@trueboard/kit';
import { qrelsFromEntries } from '@trueboard/metrics';
import { readTrecRun } from '@trueboard/metrics/trec-io';
import {
  makeUser,
  serveTestPlatform,
  type TestPlatform,
  testPlatform,
  toyScenario,
  trpcHttp,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import { rerankEvaluator } from '../../../runners/rerank/src/evaluator';
import { readBeirQrels } from '../../../runners/rerank/src/formats/beir-qrels';
import { parseRankify } from '../../../runners/rerank/src/formats/rankify-read';
import { perQuery, RERANK_MEASURES, scoreRun } from '../../../runners/rerank/src/report';
import { BEIR_SMALL, beirSmallBenchmark } from './beir-small-benchmark';
import { trueboard } from './cli-process';

/*
 * A re-ranked run downloaded from the platform: a small BEIR benchmark (runners/rerank/test/fixtures/
 * beir-small, its run.trec as the candidates) with a private model submission (the project's test
 * cross-encoder, run by a real rerank runner with onnxruntime-node) and a public run-file submission.
 * The downloads are read back by the metrics package's TREC reader and the family's Rankify reader,
 * checked against the rows the platform stored, and against `trueboard eval rerank --write-run`.
 */

const FIXTURE = BEIR_SMALL;
const scratch = mkdtempSync(join(tmpdir(), 'tb-rerank-downloads-'));
let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let dataset = '';
let modelDir = '';
const ids = { model: '', runFile: '' };
const tokens = { owner: '', stranger: '' };

const get = (path: string, token?: string) =>
  fetch(`${srv.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const downloadPath = (id: string, name: string) => `/api/submissions/${id}/downloads/${name}`;

async function storedRows(submissionId: string) {
  const [result] = await p.db.select().from(results).where(eq(results.submissionId, submissionId));
  const rows = await p.db
    .select()
    .from(exampleResults)
    .where(eq(exampleResults.resultId, result?.id ?? ''));
  return new Map(rows.map((r) => [r.exampleId, r.data]));
}

beforeAll(async () => {
  p = await testPlatform({ leaseSeconds: 60, dailyQuota: 100 });
  cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
  dataset = beirSmallBenchmark(scratch);
  await importBenchmarkDir(p, cast.admin.actor, dataset);
  modelDir = join(scratch, 'model');
  await writeTestModel(modelDir);
  const tar = join(scratch, 'model.tar');
  await packDirectory(modelDir, tar);
  const owner = cast.acme.owner.actor;
  const meta = { benchmark: 'beir-small', method: cast.method.id };
  ids.model = (await submit(p, owner, { ...meta, isPublic: false }, await readFile(tar))).id;
  ids.runFile = (await submit(p, owner, meta, readFileSync(join(FIXTURE, 'run.trec')))).id;
  tokens.owner = cast.ownerToken.secret;
  tokens.stranger = (await createApiToken(p, (await makeUser(p, { name: 'stranger' })).actor, { name: 't' })).secret;
  const outcomes: string[] = [];
  await new Runner({
    server: srv.baseUrl,
    token: cast.runnerToken.secret,
    families: ['rerank'],
    device: 'cpu',
    evaluators: { rerank: rerankEvaluator },
    cacheDir: join(scratch, 'runner-cache'),
    hostname: 'rerank-box',
    waitSeconds: 1,
    once: 2,
    onEvent: (e) => {
      if (e.type === 'job-finished') outcomes.push(e.outcome);
    },
  }).start();
  expect(outcomes).toEqual(['completed', 'completed']);
}, 180_000);
afterAll(async () => {
  await srv?.close();
  await p?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('downloads of a re-ranked run', () => {
  it('are listed with the result of a model submission, and not with a run file’s', async () => {
    type Result = { downloads: { name: string; label: string }[] };
    const model = await trpcHttp<Result>(srv.baseUrl, 'submissions.result', { id: ids.model }, { token: tokens.owner });
    expect(model.downloads).toEqual([
      { name: 'run.trec', label: 're-ranked run (TREC)' },
      { name: 'rankify.json', label: 'Rankify JSON' },
    ]);
    const runFile = await trpcHttp<Result>(srv.baseUrl, 'submissions.result', { id: ids.runFile });
    expect(runFile.downloads).toEqual([]);
    const res = await get(downloadPath(ids.runFile, 'run.trec'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      `no download "run.trec" for submission ${ids.runFile}; it offers none`,
    );
  });

  it('are left out of brief example lists (the pages), which keep the top 10; full lists carry them', async () => {
    type Page = { rows: { exampleId: string; data: Record<string, unknown> }[]; total: number };
    const list = (brief?: boolean) =>
      trpcHttp<Page>(
        srv.baseUrl,
        'submissions.examples',
        { id: ids.model, limit: 1000, ...(brief === undefined ? {} : { brief }) },
        { token: tokens.owner },
      );
    const stored = await storedRows(ids.model);
    const [full, brief] = [await list(), await list(true)];
    expect(brief.total).toBe(stored.size);
    expect(full.rows.map((r) => r.data)).toEqual(full.rows.map((r) => stored.get(r.exampleId)));
    const ranked = full.rows.filter((r) => Array.isArray(r.data.ranking) && r.data.ranking.length > 0);
    expect(ranked.length).toBeGreaterThan(0);
    for (const r of brief.rows) {
      const { ranking, ...rest } = stored.get(r.exampleId) ?? {};
      expect(r.data).toEqual(rest);
      expect(ranking).toBeDefined();
    }
    // a run file's rows have no ranking: brief or not, the same rows
    const runFile = (brief: boolean) =>
      trpcHttp<Page>(srv.baseUrl, 'submissions.examples', { id: ids.runFile, limit: 1000, brief });
    expect((await runFile(true)).rows).toEqual((await runFile(false)).rows);
  });

  it('serve the TREC run as a download that scores again to exactly the stored rows and metrics', async () => {
    const res = await get(downloadPath(ids.model, 'run.trec'), tokens.owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${ids.model}.run.trec"; filename*=UTF-8''${ids.model}.run.trec`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const trec = await res.text();
    expect(
      new Set(
        trec
          .trimEnd()
          .split('\n')
          .map((l) => l.split(' ')[5]),
      ),
    ).toEqual(new Set(['Lookup_table']));
    const judged = await readBeirQrels(join(FIXTURE, 'qrels', 'test.tsv'));
    const qrels = qrelsFromEntries(
      [...judged].flatMap(([qid, docs]) => [...docs].map(([docid, label]) => ({ qid, docid, label }))),
    );
    const again = scoreRun(await readTrecRun([trec], 'download'), qrels, { relevanceLevel: 1 } as Parameters<
      typeof scoreRun
    >[2]);
    const stored = await storedRows(ids.model);
    expect(again.queries).toEqual([...stored.keys()].sort());
    const result = await trpcHttp<{ metrics: { name: string; value: number }[] }>(
      srv.baseUrl,
      'submissions.result',
      { id: ids.model },
      { token: tokens.owner },
    );
    for (const metric of Object.keys(RERANK_MEASURES) as (keyof typeof RERANK_MEASURES)[]) {
      expect([metric, [...perQuery(again, metric)]]).toEqual([
        metric,
        again.queries.map((qid) => stored.get(qid)?.[metric]),
      ]);
      const mean = again.measures.find((m) => m.name === RERANK_MEASURES[metric])?.mean;
      expect([metric, mean]).toEqual([metric, result.metrics.find((m) => m.name === metric)?.value]);
    }
  });

  it('serve Rankify JSON that reads back to the stored order and scores', async () => {
    const res = await get(downloadPath(ids.model, 'rankify.json'), tokens.owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const read = parseRankify(await res.json(), { name: 'download.json' });
    const stored = await storedRows(ids.model);
    expect([...read.run.keys()]).toEqual([...stored.keys()].sort());
    for (const [qid, data] of stored) {
      const ranking = data.ranking as [string, number][];
      // q3 has no candidates: nothing ranked; every other query is
      expect([qid, ranking.length > 0]).toEqual([qid, qid !== 'q3']);
      expect([qid, read.run.get(qid)]).toEqual([qid, ranking.map(([docid, score]) => ({ docid, score }))]);
      expect(read.queries.get(qid)).toBe(data.query);
    }
  });

  it('keep a private submission’s downloads from a stranger, as an unknown id, and name the downloads there are', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const body = async (r: Response) => [r.status, ((await r.json()) as { error: { message: string } }).error.message];
    for (const name of ['run.trec', 'rankify.json']) {
      const hidden = await get(downloadPath(ids.model, name), tokens.stranger);
      const anonymous = await get(downloadPath(ids.model, name));
      const none = await get(downloadPath(unknown, name), tokens.stranger);
      const expected = await body(none);
      expect(expected).toEqual([404, 'submission not found']);
      expect(await body(hidden)).toEqual(expected);
      expect(await body(anonymous)).toEqual(expected);
    }
    const res = await get(downloadPath(ids.model, 'run.txt'), tokens.owner);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: {
        message: `no download "run.txt" for submission ${ids.model}; available: run.trec, rankify.json`,
        details: { available: ['run.trec', 'rankify.json'] },
      },
    });
  });

  it('equal what `trueboard eval rerank --model … --write-run/--write-rankify` writes offline', async () => {
    const run = join(scratch, 'offline.trec');
    const rankify = join(scratch, 'offline.json');
    const out = await trueboard(
      [
        'eval',
        'rerank',
        '--dataset',
        dataset,
        '--model',
        modelDir,
        '--write-run',
        run,
        '--write-rankify',
        rankify,
        '--run-tag',
        'Lookup_table',
        '--cache-dir',
        join(scratch, 'eval-cache'),
      ],
      undefined,
      { TMPDIR: scratch },
    );
    expect([out.code, out.stderr]).toEqual([0, expect.stringContaining(`re-ranked run (TREC) written to ${run}`)]);
    const platform = await (await get(downloadPath(ids.model, 'run.trec'), tokens.owner)).text();
    expect(readFileSync(run, 'utf8')).toBe(platform);
    const json = await (await get(downloadPath(ids.model, 'rankify.json'), tokens.owner)).text();
    expect(readFileSync(rankify, 'utf8')).toBe(json);
  }, 120_000);
});
