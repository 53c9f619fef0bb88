import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken, createMethod, listSubmissions, seedCorrections, submit } from '@trueboard/core';
import { datasetVersions, evaluationRuns, exampleResults, resultMetrics, results, submissions } from '@trueboard/db';
import { makeTeam, makeUser } from '@trueboard/testkit';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * `trueboard rerun` and `trueboard reproduce` against a platform with the real Spider dev benchmark:
 * the three published baselines scored on v1, the bundled corrections released as v2 and the
 * baselines re-scored on it (incrementally) by a real runner over HTTP. reproduce downloads the
 * artifact and the dataset version, re-evaluates everything locally and compares with what the
 * platform stored.
 */

type Env = Awaited<ReturnType<typeof spiderPlatform>>;
let env: Env;
let server: string[];
let cacheEnv: Record<string, string>;
const baselines = new Map<string, string>();

const reproduce = (id: string, extra: string[] = []) => runCli(['reproduce', id, ...server, ...extra], cacheEnv);

beforeAll(async () => {
  env = await spiderPlatform();
  const { p, admin } = env;
  const released = await seedCorrections(p, admin.actor, 'spider-dev', SPIDER);
  expect(released?.version).toBe(2);
  await env.drain();
  for (const s of await listSubmissions(p, admin.actor, 'spider-dev')) baselines.set(s.method, s.id);
  expect([...baselines.keys()].sort()).toEqual(['CodeS-1B', 'DAIL-SQL (GPT-4)', 'DTS-SQL (Mistral 7B)']);
  // the v2 results are incremental re-scorings (rows of unchanged examples carried over from v1):
  // reproduce compares them with a full evaluation
  const carried = await p.db
    .select({ n: sql<number>`count(*)::int` })
    .from(exampleResults)
    .innerJoin(results, eq(results.id, exampleResults.resultId))
    .innerJoin(datasetVersions, eq(datasetVersions.id, results.datasetVersionId))
    .where(and(eq(datasetVersions.number, 2), eq(results.isCurrent, true), isNotNull(exampleResults.sourceResultId)));
  expect(carried[0]?.n).toBeGreaterThan(3 * 1000);
  server = ['--server', env.srv.baseUrl];
  // one cache for every run of the file: the dataset is downloaded once per version
  cacheEnv = { TRUEBOARD_CACHE_DIR: mkdtempSync(join(tmpdir(), 'tb-reproduce-cache-')), TRUEBOARD_TOKEN: '' };
}, 600_000);
afterAll(() => env?.close());

describe('trueboard reproduce', () => {
  it('says identical for every baseline on v1 and on v2, without a token; only timing differs', {
    timeout: 600_000,
  }, async () => {
    const dev = JSON.parse(readFileSync(join(SPIDER, 'dev.json'), 'utf8')) as unknown[];
    for (const version of ['1', '2']) {
      const runs = await Promise.all([...baselines.values()].map((id) => reproduce(id, ['--version', version])));
      for (const [i, [method, id]] of [...baselines].entries()) {
        const r = runs[i];
        expect(r?.code, `${method} v${version}:\n${r?.output}`).toBe(0);
        expect(r?.output).toContain(
          `identical: all ${dev.length} examples (verdicts, reasons, per-example data), 3 metrics (values, intervals, n), 20 breakdown groups and the unscorable count`,
        );
        expect(r?.output).toContain(`match the stored result of ${method} (baselines) on spider-dev v${version}`);
        // per-example latencies differ in nearly every example: the only values the check leaves out
        expect(r?.output).toMatch(
          /^timing differs and is not compared: provenance\.startedAt, provenance\.wallTimeMs, gold_ms \(\d+ examples\), pred_ms \(\d+ examples\)$/m,
        );
        expect(r?.output).toContain(`reproducing ${id}: ${method} (baselines) on spider-dev v${version}`);
        // progress on the long parts
        expect(r?.output).toMatch(/^reading stored examples: 100% 1034\/1034$/m);
        expect(r?.output).toMatch(/^trueboard-text2sql: 100% 1034\/1034 examples$/m);
      }
    }
    // without --version: the newest version the submission has a result on
    const latest = await reproduce(baselines.get('CodeS-1B') ?? '');
    expect(latest.code, latest.output).toBe(0);
    expect(latest.output).toContain('match the stored result of CodeS-1B (baselines) on spider-dev v2');
  });

  it('names a tampered example and a tampered metric, and exits 1', { timeout: 300_000 }, async () => {
    const { p } = env;
    const id = baselines.get('DAIL-SQL (GPT-4)') ?? '';
    const [v1] = await p.db
      .select({ id: results.id })
      .from(results)
      .innerJoin(submissions, eq(submissions.id, results.submissionId))
      .where(
        and(
          eq(results.submissionId, id),
          eq(results.isCurrent, true),
          eq(results.datasetVersionId, submissions.datasetVersionId),
        ),
      );
    if (!v1) throw new Error('no v1 result');
    // example 0 ("How many singers do we have?") is right in the stored result: make it wrong
    const where = and(eq(exampleResults.resultId, v1.id), eq(exampleResults.exampleId, '0'));
    const [row] = await p.db.select().from(exampleResults).where(where);
    expect(row?.verdict).toBe(1);
    const metricWhere = and(
      eq(resultMetrics.resultId, v1.id),
      eq(resultMetrics.name, 'ex'),
      eq(resultMetrics.semantics, 'bird'),
    );
    const [metric] = await p.db.select().from(resultMetrics).where(metricWhere);
    if (!row || !metric) throw new Error('fixture rows missing');
    try {
      await p.db
        .update(exampleResults)
        .set({ verdict: 0, data: { ...row.data, ex_spider: 0 } })
        .where(where);
      await p.db
        .update(resultMetrics)
        .set({ value: metric.value + 1 })
        .where(metricWhere);
      const r = await reproduce(id, ['--version', '1', '--out', join(cacheEnv.TRUEBOARD_CACHE_DIR ?? '', 'diff.json')]);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(
        'different: 1 of 1034 examples and 1 of 3 metrics differ from the stored result of DAIL-SQL (GPT-4) (baselines) on spider-dev v1 (examples 0)',
      );
      expect(r.output).toMatch(/^0\s+verdict\s+0\s+1$/m);
      expect(r.output).toMatch(/^0\s+ex_spider\s+0\s+1$/m);
      expect(r.output).toMatch(
        new RegExp(`^metric ex/bird\\s+value\\s+${metric.value + 1}\\s+${metric.value}$`.replaceAll('.', '\\.'), 'm'),
      );
      const written = JSON.parse(readFileSync(join(cacheEnv.TRUEBOARD_CACHE_DIR ?? '', 'diff.json'), 'utf8')) as {
        identical: boolean;
        differences: { where: string; field: string }[];
      };
      expect(written.identical).toBe(false);
      expect(written.differences.map((d) => `${d.where} ${d.field}`)).toEqual([
        '0 verdict',
        '0 ex_spider',
        'metric ex/bird value',
      ]);
    } finally {
      await p.db.update(exampleResults).set({ verdict: row.verdict, data: row.data }).where(where);
      await p.db.update(resultMetrics).set({ value: metric.value }).where(metricWhere);
    }
  });

  it('reproduces a private submission only for its team (anyone else: not found, exit 2)', {
    timeout: 300_000,
  }, async () => {
    const { p } = env;
    const lab = await makeTeam(p, 'private-lab', ['member']);
    const member = lab.members.member;
    if (!member) throw new Error('no member');
    const method = await createMethod(p, lab.owner.actor, { team: 'private-lab', name: 'Secret CodeS' });
    const sub = await submit(
      p,
      lab.owner.actor,
      { benchmark: 'spider-dev', method: method.id, isPublic: false },
      readFileSync(join(SPIDER, 'baselines', 'codes-1b.sql')),
    );
    await env.drain();
    const outsider = await makeUser(p, { name: 'outsider' });
    const outsiderToken = (await createApiToken(p, outsider.actor, { name: 'cli' })).secret;
    const memberToken = (await createApiToken(p, member.actor, { name: 'cli' })).secret;

    for (const token of [[], ['--token', outsiderToken]]) {
      const r = await reproduce(sub.id, token);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(/^trueboard: submission not found/m);
    }
    const ok = await reproduce(sub.id, ['--token', memberToken]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('match the stored result of Secret CodeS (private-lab) on spider-dev v2');
  });
});

describe('trueboard rerun', () => {
  it('refuses a stranger with the reason, and queues a rerun for the benchmark maintainer; --wait follows it', {
    timeout: 300_000,
  }, async () => {
    const { p, admin } = env;
    const id = baselines.get('CodeS-1B') ?? '';
    const stranger = await makeUser(p, { name: 'stranger' });
    const strangerToken = (await createApiToken(p, stranger.actor, { name: 'cli' })).secret;
    const refused = await runCli(['rerun', id, ...server, '--token', strangerToken], cacheEnv);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      /^trueboard: only the submitter or a maintainer can rerun( \(request id [^)]+\))?\n$/,
    );
    const anonymous = await runCli(['rerun', id, ...server], cacheEnv);
    expect(anonymous.code).toBe(1);
    expect(anonymous.output).toMatch(/^trueboard: an API token is required/);

    const adminToken = (await createApiToken(p, admin.actor, { name: 'cli' })).secret;
    const queued = await runCli(['rerun', id, ...server, '--token', adminToken], cacheEnv);
    expect(queued.code, queued.output).toBe(0);
    const runId = /run ([0-9a-f-]{36})\)/.exec(queued.output)?.[1] ?? '';
    const [run] = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, runId));
    expect(run).toMatchObject({ submissionId: id, kind: 'rerun', state: 'queued' });
    const [s] = await p.db.select({ state: submissions.state }).from(submissions).where(eq(submissions.id, id));
    expect(s?.state).toBe('queued');
    expect(queued.output).toContain(`rerun queued: ${env.srv.baseUrl}/s/${id} (run ${runId})`);
    await env.drain();

    // --wait: the CLI follows the rerun while a runner picks it up, and prints the metrics
    const waiting = runCli(['rerun', id, ...server, '--token', adminToken, '--wait'], cacheEnv);
    let settled = false;
    void waiting.finally(() => {
      settled = true;
    });
    for (let i = 0; i < 100 && !settled; i++) {
      await env.drain();
      await new Promise((r) => setTimeout(r, 200));
    }
    const followed = await waiting;
    expect(followed.code, followed.output).toBe(0);
    expect(followed.output).toMatch(/^ex\s+spider\s+\d+\.\d\d\s+\[\d+\.\d\d, \d+\.\d\d\]\s+972$/m);
    const [after] = await p.db
      .select({ n: sql<number>`count(*)::int` })
      .from(evaluationRuns)
      .where(
        and(
          eq(evaluationRuns.submissionId, id),
          eq(evaluationRuns.kind, 'rerun'),
          eq(evaluationRuns.state, 'finished'),
        ),
      );
    expect(after?.n).toBe(2);
  });
});
