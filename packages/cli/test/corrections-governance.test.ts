import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getCorrection,
  importBenchmarkDir,
  leaderboard,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  withdrawCorrection,
} from '@trueboard/core';
import { auditEvents, corrections, datasetVersions, evaluationRuns } from '@trueboard/db';
import { makeUser, type TestPlatform } from '@trueboard/testkit';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * Release safeguards and review rules of the corrections workflow (conflicts, atomicity, quorum,
 * supersession, catch-up re-scoring) on the real Spider dev benchmark. The end-to-end flow is in
 * corrections-flow.test.ts.

 */

let env: Awaited<ReturnType<typeof spiderPlatform>>;
let p: TestPlatform;
let admin: Env['admin'];
let proposer: Env['proposer'];
let reviewer: Env['reviewer'];
type Env = Awaited<ReturnType<typeof spiderPlatform>>;

beforeAll(async () => {
  env = await spiderPlatform();
  ({ p, admin, proposer, reviewer } = env);
}, 300_000);
afterAll(() => env?.close());

describe('release safeguards', () => {
  it('detects conflicting corrections and stale ones before a release, and never leaves a partial version', async () => {
    const a = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-dev',
      exampleId: '5',
      fields: { query: 'SELECT count(*) FROM singer WHERE country = "France"' },
      category: 'wrong_gold',
      rationale: 'test a',
    });
    const b = await proposeCorrection(p, admin.actor, {
      benchmark: 'spider-dev',
      exampleId: '5',
      fields: { query: "SELECT count(*) FROM singer WHERE country = 'France'" },
      category: 'wrong_gold',
      rationale: 'test b',
    });
    await reviewCorrection(p, reviewer.actor, { id: a.id, decision: 'approve' });
    await reviewCorrection(p, reviewer.actor, { id: b.id, decision: 'approve' });
    await expect(releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).rejects.toThrow(
      new RegExp(`conflicting approved corrections: example 5 \\(${a.id}, ${b.id}\\)`),
    );
    await withdrawCorrection(p, admin.actor, b.id);

    // the blob store fails in the middle of the release (its directory replaced by a file)
    const dir = p.config.artifactsDir;
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'not a directory');
    const versionsBefore = await p.db.select().from(datasetVersions);
    const runsBefore = await p.db.select().from(evaluationRuns);
    const auditBefore = await p.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
    try {
      await expect(releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).rejects.toThrow();
    } finally {
      rmSync(dir);
      renameSync(`${dir}.away`, dir);
    }
    expect(await p.db.select().from(datasetVersions)).toHaveLength(versionsBefore.length);
    expect(await p.db.select().from(evaluationRuns)).toHaveLength(runsBefore.length);
    expect((await p.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]?.n).toBe(auditBefore[0]?.n);
    const [still] = await p.db.select().from(corrections).where(eq(corrections.id, a.id));
    expect(still?.state).toBe('approved');
    // and the same release succeeds once the store is back
    expect(await releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).toMatchObject({
      version: 2,
      corrections: 1,
    });
    // audit rows of corrections are append-only
    const refusal = (q: Promise<unknown>) =>
      q.then(
        () => 'accepted',
        (err: { cause?: unknown }) => String(err.cause ?? err),
      );
    const update = p.db
      .update(auditEvents)
      .set({ action: 'correction.rejected' })
      .where(eq(auditEvents.entityId, a.id));
    expect(await refusal(update)).toMatch(/append-only/);
    expect(await refusal(p.db.delete(auditEvents).where(and(eq(auditEvents.entityType, 'correction'))))).toMatch(
      /append-only/,
    );
  });
});

describe('quorum and supersession', () => {
  it('waits for the configured number of approvals, and lets a proposer replace their proposal', async () => {
    // the quorum comes from the benchmark's manifest, as a maintainer writes it
    const dir = mkdtempSync(join(tmpdir(), 'tb-quorum-'));
    cpSync(SPIDER, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id: 'spider-q2', corrections: { quorum: 2 } }));
    await importBenchmarkDir(p, admin.actor, dir);
    const first = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-q2',
      exampleId: '20',
      fields: { question: 'first wording' },
      category: 'ambiguous_question',
      rationale: 'test quorum',
    });
    const second = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-q2',
      exampleId: '20',
      fields: { question: 'better wording' },
      category: 'ambiguous_question',
      rationale: 'test quorum, revised',
      supersedes: first.id,
    });
    expect((await getCorrection(p, first.id)).state).toBe('superseded');
    expect((await getCorrection(p, first.id)).supersededBy).toBe(second.id);
    // a superseded proposal can no longer be reviewed
    await expect(reviewCorrection(p, reviewer.actor, { id: first.id, decision: 'approve' })).rejects.toThrow(
      /superseded/,
    );
    expect(await reviewCorrection(p, reviewer.actor, { id: second.id, decision: 'approve' })).toMatchObject({
      state: 'proposed',
    });
    await expect(reviewCorrection(p, reviewer.actor, { id: second.id, decision: 'approve' })).rejects.toThrow(
      /already reviewed/,
    );
    expect(await reviewCorrection(p, admin.actor, { id: second.id, decision: 'approve' })).toMatchObject({
      state: 'approved',
    });
    const c = await getCorrection(p, second.id);
    expect([c.quorum, c.reviews.length]).toEqual([2, 2]);
  });
});

describe('submissions caught by a release', () => {
  it('re-scores on the latest version a submission that finished on an older one', { timeout: 120_000 }, async () => {
    const team = await makeUser(p, { name: 'late' });
    const { createTeam, createMethod, submit } = await import('@trueboard/core');
    await createTeam(p, team.actor, { slug: 'late-team', name: 'Late' });
    const m = await createMethod(p, team.actor, { team: 'late-team', name: 'Late method' });
    const preds = readFileSync(join(SPIDER, 'baselines', 'codes-1b.sql'));
    // queued on the latest version, then a release happens before a runner takes it
    const s = await submit(p, team.actor, { benchmark: 'spider-dev', method: m.id }, preds);
    const c = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-dev',
      exampleId: '30',
      fields: { question: 'a reworded question' },
      category: 'ambiguous_question',
      rationale: 'test catch-up',
    });
    await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' });
    const rel = await releaseVersion(p, admin.actor, { benchmark: 'spider-dev' });
    // the release re-scores what already had results; the queued submission finishes on its old version,
    // then catches up with the new one
    // evaluate until nothing is queued (the re-scorings of the earlier release are waiting too)
    await env.drain();
    const runs = await p.db
      .select()
      .from(evaluationRuns)
      .where(eq(evaluationRuns.submissionId, s.id))
      .orderBy(asc(evaluationRuns.queuedAt));
    expect(runs.map((r) => [r.kind, r.state])).toEqual([
      ['initial', 'finished'],
      ['rescore', 'finished'],
    ]);
    // every submission, including those re-scored on the older version only after the newer release, is on the new board
    const board = await leaderboard(p, { benchmark: 'spider-dev', version: rel.version });
    expect(board.rows.map((r) => r.method).sort()).toEqual(
      ['CodeS-1B', 'DAIL-SQL (GPT-4)', 'DTS-SQL (Mistral 7B)', 'Late method'].sort(),
    );
  });
});
