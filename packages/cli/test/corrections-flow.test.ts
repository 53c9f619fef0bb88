import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { EvaluatorReport, RunContext } from '@trueboard/contracts';
import {
  currentResult,
  getCorrection,
  impact,
  importBenchmarkDir,
  leaderboard,
  listExampleResults,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  versionDiff,
  versionFile,
} from '@trueboard/core';
import { correctionReviews, datasetVersions, evaluationRuns, submissions } from '@trueboard/db';
import { firstStatement, kendallTauB, removeDistinct, spearman } from '@trueboard/metrics';
import { makeUser, type TestPlatform } from '@trueboard/testkit';
import { type Text2SqlPrepared, text2sqlEvaluator } from '@trueboard/text2sql';
import { and, DrizzleQueryError, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * The corrections workflow end to end on the real Spider dev benchmark: propose → self-review
 * refused → approved by another reviewer → release v2 → the runner re-scores every baseline
 * incrementally → leaderboard on v2 → export → impact; numbers checked against independent
 * computations from the stored per-example rows.
 */

const EX = 'ex/spider';

let env: Awaited<ReturnType<typeof spiderPlatform>>;
let p: TestPlatform;
let admin: Env['admin'];
let proposer: Env['proposer'];
let reviewer: Env['reviewer'];
type Env = Awaited<ReturnType<typeof spiderPlatform>>;

// example 0: "How many singers do we have?" — gold SELECT count(*) FROM singer (= 6). A "correction"
// that makes every system that answered count(*) wrong; example 1's question reworded only.
const FIX_0 = 'SELECT count(*) FROM singer WHERE age > 30';
const FIX_1 = 'What is the number of singers?';

/** Version `number` of a benchmark (a test's own: other tests release other benchmarks). */
async function versionRow(benchmark: string, number: number) {
  const [v] = await p.db
    .select()
    .from(datasetVersions)
    .where(and(eq(datasetVersions.benchmarkId, benchmark), eq(datasetVersions.number, number)));
  if (!v) throw new Error(`no version ${number} of ${benchmark}`);
  return v;
}

beforeAll(async () => {
  env = await spiderPlatform();
  ({ p, admin, proposer, reviewer } = env);
}, 300_000);
afterAll(() => env?.close());

describe('audited corrections on Spider dev', () => {
  it('propose → self-review refused → approve → release v2 → incremental re-scoring → board, export, impact', {
    timeout: 300_000,
  }, async () => {
    const v1 = await leaderboard(p, { benchmark: 'spider-dev', version: 1 });
    expect(v1.rows).toHaveLength(3);

    // bad proposals are refused with the field named
    await expect(
      proposeCorrection(p, proposer.actor, {
        benchmark: 'spider-dev',
        exampleId: '0',
        fields: { query: 'SELECT count(*) FROM singer' },
        category: 'wrong_gold',
        rationale: 'x',
      }),
    ).rejects.toThrow(/fields\.query: unchanged/);
    await expect(
      proposeCorrection(p, proposer.actor, {
        benchmark: 'spider-dev',
        exampleId: '99999',
        fields: { query: 'SELECT 1' },
        category: 'wrong_gold',
        rationale: 'x',
      }),
    ).rejects.toThrow(/no example "99999"/);
    await expect(
      proposeCorrection(p, proposer.actor, {
        benchmark: 'spider-dev',
        exampleId: '0',
        fields: { query: 'SELECT 1' },
        category: 'wrong_gold',
        rationale: '  ',
      }),
    ).rejects.toThrow(/rationale/);

    const c0 = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-dev',
      exampleId: '0',
      fields: { query: FIX_0 },
      category: 'wrong_gold',
      rationale: 'test: only singers over 30 count',
    });
    const c1 = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-dev',
      exampleId: '1',
      fields: { question: FIX_1 },
      category: 'ambiguous_question',
      rationale: 'test: clearer wording',
    });
    expect(c0).toMatchObject({ state: 'proposed', before: { query: 'SELECT count(*) FROM singer' } });

    // the proposer is a reviewer of the team, and still cannot approve their own correction
    await expect(reviewCorrection(p, proposer.actor, { id: c0.id, decision: 'approve' })).rejects.toThrow(
      /cannot review your own correction/,
    );
    // nor can the database be made to record it
    const selfReview = await p.db
      .insert(correctionReviews)
      .values({ correctionId: c0.id, reviewerId: proposer.id, decision: 'approve' })
      .catch((e: unknown) => e);
    expect(selfReview).toBeInstanceOf(DrizzleQueryError);
    expect((selfReview as DrizzleQueryError).cause).toMatchObject({
      code: '23514', // check_violation
      message: 'the proposer of a correction cannot review it',
    });
    const outsider = await makeUser(p, { name: 'outsider' });
    await expect(reviewCorrection(p, outsider.actor, { id: c0.id, decision: 'approve' })).rejects.toThrow(
      /reviewer role/,
    );
    expect(await reviewCorrection(p, reviewer.actor, { id: c0.id, decision: 'approve', comment: 'checked' })).toEqual({
      id: c0.id,
      state: 'approved',
    });
    await reviewCorrection(p, reviewer.actor, { id: c1.id, decision: 'approve' });

    // a release by someone who is not a maintainer is refused; the maintainer's works
    await expect(releaseVersion(p, reviewer.actor, { benchmark: 'spider-dev' })).rejects.toThrow(/maintainer role/);
    const rel = await releaseVersion(p, admin.actor, { benchmark: 'spider-dev', note: 'Test release.' });
    expect(rel).toEqual({ version: 2, corrections: 2, rescoring: 3 });
    const history = await getCorrection(p, c0.id);
    expect(history.state).toBe('released');
    expect(history.history.map((h) => h.action)).toEqual([
      'correction.proposed',
      'correction.reviewed',
      'correction.approved',
      'correction.released',
    ]);
    expect(history.history.every((h) => h.exampleId === '0')).toBe(true);

    await env.drain();
    const v2Row = await versionRow('spider-dev', 2);
    const runs = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.datasetVersionId, v2Row.id));
    expect(runs.map((r) => [r.kind, r.state])).toEqual([
      ['rescore', 'finished'],
      ['rescore', 'finished'],
      ['rescore', 'finished'],
    ]);

    // the board on v2: every system's EX changes exactly as its per-example rows say
    const v2 = await leaderboard(p, { benchmark: 'spider-dev', version: 2 });
    expect(v2.rows).toHaveLength(3);
    for (const r of v2.rows) {
      const before = v1.rows.find((x) => x.submissionId === r.submissionId);
      if (!before) throw new Error('missing');
      const rows1 = (await listExampleResults(p.db, before.resultId, { limit: 1000 })).rows.concat(
        (await listExampleResults(p.db, before.resultId, { limit: 1000, offset: 1000 })).rows,
      );
      const rows2 = (await listExampleResults(p.db, r.resultId, { limit: 1000 })).rows.concat(
        (await listExampleResults(p.db, r.resultId, { limit: 1000, offset: 1000 })).rows,
      );
      const ex = (rows: typeof rows1) => {
        const s = rows.filter((x) => x.verdict !== null);
        return (100 * s.filter((x) => x.verdict === 1).length) / s.length;
      };
      expect(r.metrics[EX]?.value).toBeCloseTo(ex(rows2), 10);
      expect(before.metrics[EX]?.value).toBeCloseTo(ex(rows1), 10);
      // only example 0 can flip (example 1 changed only its question); rows other than 0 and 1 were reused
      const v1ById = new Map(rows1.map((x) => [x.exampleId, x.verdict]));
      const flipped = rows2.filter((x) => v1ById.get(x.exampleId) !== x.verdict).map((x) => x.exampleId);
      expect(flipped.every((id) => id === '0')).toBe(true);
      const reused = rows2.filter((x) => x.sourceResultId === before.resultId).length;
      expect(reused).toBe(1034 - 2);
      // example 0 under the new gold: count(*) of singers over 30 is 4 (Joe Sharp 52, Timbaland 32, Rose White 41, John Nizinik 43)
      const e0 = rows2.find((x) => x.exampleId === '0');
      expect((e0?.data.gold_preview as { rows: unknown[][] } | undefined)?.rows).toEqual([[4]]);
    }

    // export: the v2 files are the v1 files with exactly the corrected fields changed
    const read = async (n: number, path: string) =>
      (await buffer((await versionFile(p, 'spider-dev', n, path)).open())).toString('utf8');
    const dev1 = await read(1, 'dev.json');
    const dev2 = await read(2, 'dev.json');
    expect(dev1).toBe(readFileSync(join(SPIDER, 'dev.json'), 'utf8'));
    const j1 = JSON.parse(dev1) as Record<string, unknown>[];
    const j2 = JSON.parse(dev2) as Record<string, unknown>[];
    // the derived token lists follow the corrected text (NLTK's word_tokenize for query_toks and
    // question_toks, Spider's value-free lowercase tokens), worked by hand; `sql` (the old query's
    // parse) is removed rather than left describing the old query
    const { sql: _oldParse, ...e0 } = j1[0] ?? {};
    expect(j2[0]).toEqual({
      ...e0,
      query: FIX_0,
      query_toks: ['SELECT', 'count', '(', '*', ')', 'FROM', 'singer', 'WHERE', 'age', '>', '30'],
      query_toks_no_value: ['select', 'count', '(', '*', ')', 'from', 'singer', 'where', 'age', '>', 'value'],
    });
    expect(j2[1]).toEqual({
      ...j1[1],
      question: FIX_1,
      question_toks: ['What', 'is', 'the', 'number', 'of', 'singers', '?'],
    });
    expect(j2.slice(2)).toEqual(j1.slice(2));
    const gold1 = (await read(1, 'dev_gold.sql')).split('\n');
    const gold2 = (await read(2, 'dev_gold.sql')).split('\n');
    expect(gold2[0]).toBe(`${FIX_0}\tconcert_singer`);
    expect(gold2.slice(1)).toEqual(gold1.slice(1));
    expect((await read(2, 'tables.json')) === (await read(1, 'tables.json'))).toBe(true);
    const diff = await versionDiff(p, 'spider-dev', 2);
    expect(diff.changes.map((c) => [c.exampleId, c.after, c.corrections[0]?.id])).toEqual([
      ['0', { query: FIX_0 }, c0.id],
      ['1', { question: FIX_1 }, c1.id],
    ]);
    expect(v2Row.changelog).toMatch(/## Example 0 — wrong_gold/);

    // impact: equal to an independent computation from the two boards
    const im = await impact(p, { benchmark: 'spider-dev', from: 1, to: 2 });
    const x = v1.rows.map((r) => r.metrics[EX]?.value ?? 0);
    const y = v1.rows.map((r) => v2.rows.find((s) => s.submissionId === r.submissionId)?.metrics[EX]?.value ?? 0);
    expect(im.systems.map((s) => [s.scoreFrom, s.scoreTo])).toEqual(x.map((v, i) => [v, y[i]]));
    expect(im.spearman?.value).toBeCloseTo(spearman(x, y), 12);
    expect(im.kendallTauB?.value).toBeCloseTo(kendallTauB(x, y), 12);
    for (const s of im.systems) {
      const f = im.flips.find((q) => q.submissionId === s.submissionId)?.flipped ?? [];
      expect(f.map((q) => q.exampleId)).toEqual(s.scoreFrom === s.scoreTo ? [] : ['0']);
      expect(s.rankChange).toBe(s.rankFrom - s.rankTo);
    }
  });

  it('re-executes exactly the changed examples, and matches a full re-evaluation', { timeout: 120_000 }, async () => {
    // the same two corrections released on a copy of Spider dev of this test's own: its v1 is the
    // same content as Spider dev's v1, on which the platform scored the baselines
    const dir = mkdtempSync(join(tmpdir(), 'tb-spider-inc-'));
    cpSync(SPIDER, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, id: 'spider-inc' }));
    await importBenchmarkDir(p, admin.actor, dir);
    rmSync(dir, { recursive: true, force: true });
    expect((await versionRow('spider-inc', 1)).contentHash).toBe((await versionRow('spider-dev', 1)).contentHash);
    for (const [exampleId, fields] of [
      ['0', { query: FIX_0 }],
      ['1', { question: FIX_1 }],
    ] as const) {
      const c = await proposeCorrection(p, proposer.actor, {
        benchmark: 'spider-inc',
        exampleId,
        fields,
        category: 'other',
        rationale: 'test: incremental re-scoring',
      });
      await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' });
    }
    expect(await releaseVersion(p, admin.actor, { benchmark: 'spider-inc' })).toEqual({
      version: 2,
      corrections: 2,
      rescoring: 0,
    });
    const v2 = await versionRow('spider-inc', 2);
    expect(v2.changedExamples).toEqual(['0', '1']);

    // v2's files on disk, as a runner materializes them
    const root = mkdtempSync(join(tmpdir(), 'tb-v2-'));
    for (const f of ['dev.json', 'dev_gold.sql', 'tables.json']) {
      writeFileSync(join(root, f), await buffer((await versionFile(p, 'spider-inc', 2, f)).open()));
    }
    symlinkSync(join(SPIDER, 'database'), join(root, 'database'));
    const bundle = {
      ref: {
        benchmark: 'spider-inc',
        version: 2,
        contentHash: v2.contentHash,
        files: [],
        evaluator: { workers: 2 },
      },
      root,
    };
    // the CodeS-1B baseline: the submission whose artifact is that file, byte for byte
    const artifactPath = join(SPIDER, 'baselines', 'codes-1b.sql');
    const sha256 = createHash('sha256').update(readFileSync(artifactPath)).digest('hex');
    const codes = await p.db.select().from(submissions).where(eq(submissions.artifactSha256, sha256));
    expect(codes.map((x) => [x.benchmarkId, x.isBaseline, x.datasetVersionId])).toEqual([
      ['spider-dev', true, (await versionRow('spider-dev', 1)).id],
    ]);
    const [s] = codes;
    if (!s) throw new Error('unreachable: one row asserted above');
    const v1Result = await currentResult(p.db, s.id, s.datasetVersionId);
    if (!v1Result) throw new Error('no v1 result');
    const prevRows = (await listExampleResults(p.db, v1Result.id, { limit: 1000 })).rows.concat(
      (await listExampleResults(p.db, v1Result.id, { limit: 1000, offset: 1000 })).rows,
    );
    expect(prevRows).toHaveLength(1034);
    const artifact = { sha256, path: artifactPath, mediaType: 'text/plain' };
    const ctx = (previous?: RunContext['previous']): RunContext => ({
      device: 'cpu',
      seed: 20_240_601,
      signal: new AbortController().signal,
      progress: () => {},
      log: () => {},
      provenance: {
        runnerVersion: 't',
        hostname: 'h',
        datasetHash: v2.contentHash,
        artifactHash: sha256,
      },
      ...(previous ? { previous } : {}),
    });
    const incremental: Text2SqlPrepared = await text2sqlEvaluator.prepare(bundle);
    const full: Text2SqlPrepared = await text2sqlEvaluator.prepare(bundle);
    try {
      const fullReport = await text2sqlEvaluator.evaluate(full, artifact, ctx());
      // v1's stored verdicts are the full re-evaluation's on every example but the two changed ones
      const v1Verdicts = new Map(prevRows.map((r) => [r.exampleId, r.verdict]));
      const unchanged = fullReport.examples.filter((e) => e.id !== '0' && e.id !== '1');
      expect(unchanged.filter((e) => v1Verdicts.get(e.id) !== e.verdict).map((e) => e.id)).toEqual([]);
      expect(unchanged).toHaveLength(1032);
      const before = incremental.pool.stats.executions;
      const inc = await text2sqlEvaluator.evaluate(
        incremental,
        artifact,
        ctx({
          runId: v1Result.runId,
          changedExampleIds: ['0', '1'],
          examples: prevRows.map((r) => ({
            id: r.exampleId,
            verdict: r.verdict,
            data: r.data,
            ...(r.reason ? { reason: r.reason } : {}),
          })),
        }),
      );
      // k = 2 changed examples: exactly their distinct queries run (gold, prediction and their
      // DISTINCT-stripped forms, once each per database), nothing for the other 1,032
      const gold2 = readFileSync(join(root, 'dev_gold.sql'), 'utf8').split('\n');
      const predLines = readFileSync(artifactPath, 'utf8').split('\n');
      const queries = new Set<string>();
      for (const i of [0, 1]) {
        const [goldSql = '', db = ''] = (gold2[i] ?? '').split('\t');
        const pred = (predLines[i] ?? '').trim().split('\t')[0] ?? '';
        for (const q of [goldSql, removeDistinct(goldSql), pred, removeDistinct(firstStatement(pred))])
          queries.add(`${db}\u0000${q}`);
      }
      // each worker keeps its own gold cache: a gold may also run on a second worker when the one
      // its lane belongs to is not ready yet, so up to two more (one per changed example's gold)
      const ran = incremental.pool.stats.executions - before;
      expect(ran).toBeGreaterThanOrEqual(queries.size);
      expect(ran).toBeLessThanOrEqual(queries.size + 2);
      expect(inc.examples.filter((e) => !e.reused).map((e) => e.id)).toEqual(['0', '1']);
      const strip = (r: EvaluatorReport) =>
        r.examples.map(({ reused: _, data, ...e }) => ({
          ...e,
          ex: data.ex_spider,
          bird: data.ex_bird,
          f1: data.soft_f1,
        }));
      expect(strip(inc)).toEqual(strip(fullReport));
      expect(inc.metrics).toEqual(fullReport.metrics);
    } finally {
      await incremental.pool.close();
      await full.pool.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
