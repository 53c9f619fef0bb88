import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import {
  DomainError,
  getCorrection,
  importBenchmarkDir,
  leaderboard,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  versionFile,
  withdrawCorrection,
} from '@trueboard/core';
import { artifacts, auditEvents, corrections, datasetVersions, evaluationRuns, results } from '@trueboard/db';
import { makeUser, type TestPlatform } from '@trueboard/testkit';
import { and, asc, DrizzleQueryError, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * Release safeguards and review rules of the corrections workflow (conflicts, stale corrections,
 * atomicity, concurrent releases, quorum, supersession, catch-up re-scoring) on the real Spider dev
 * benchmark. The end-to-end flow is in corrections-flow.test.ts. Each test starts from the platform
 * of beforeAll (v1 of Spider dev with its three baselines scored): tests that need no submissions
 * release a copy of Spider dev of their own.
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

/** Spider dev under another id, with manifest changes, and nothing submitted to it. */
async function spiderCopy(id: string, manifest: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), `tb-${id}-`));
  try {
    cpSync(SPIDER, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id, ...manifest }));
    await importBenchmarkDir(p, admin.actor, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return id;
}

/** A correction proposed by `proposer` and approved by `reviewer` (quorum 1). */
async function approvedCorrection(benchmark: string, exampleId: string, fields: Record<string, string>) {
  const c = await proposeCorrection(p, proposer.actor, {
    benchmark,
    exampleId,
    fields,
    category: 'query' in fields ? 'wrong_gold' : 'ambiguous_question',
    rationale: `test: example ${exampleId}`,
  });
  expect(await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' })).toEqual({
    id: c.id,
    state: 'approved',
  });
  return c;
}

const versionNumbers = async (benchmark: string) =>
  (
    await p.db
      .select({ n: datasetVersions.number })
      .from(datasetVersions)
      .where(eq(datasetVersions.benchmarkId, benchmark))
      .orderBy(asc(datasetVersions.number))
  ).map((v) => v.n);

const settle = <T>(q: Promise<T>) =>
  q.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/** Waits until `n` sessions of this database wait for a row lock they asked for (a state, polled). */
async function waitForLockWaits(n: number) {
  for (let i = 0; i < 1000; i++) {
    // the release's FOR UPDATE reads only (the queue's own statements skip locked rows)
    const [r] = await p.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for update%'`;
    if (r?.n === n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${n} sessions never waited for a lock`);
}

/** Everything a release writes to the database, to compare before and after a failed one. */
async function releaseState() {
  const ids = async (rows: Promise<{ id: string | number }[]>) => (await rows).map((r) => r.id);
  const [jobs] = await p.db.execute<{ n: number }>(sql`select count(*)::int as n from pgboss.job`);
  return {
    versions: await ids(p.db.select({ id: datasetVersions.id }).from(datasetVersions).orderBy(datasetVersions.id)),
    approved: await ids(
      p.db
        .select({ id: corrections.id })
        .from(corrections)
        .where(and(eq(corrections.benchmarkId, 'spider-dev'), eq(corrections.state, 'approved'))),
    ),
    corrections: await p.db.select().from(corrections).orderBy(corrections.id),
    audit: await ids(p.db.select({ id: auditEvents.id }).from(auditEvents).orderBy(auditEvents.id)),
    runs: await p.db.select().from(evaluationRuns).orderBy(evaluationRuns.id),
    jobs: jobs?.n,
    artifacts: await p.db.select().from(artifacts).orderBy(artifacts.sha256),
  };
}

/**
 * Fails the second re-scoring a release queues, inside the release's transaction, and says what the
 * transaction had written by then (read in the same transaction, so a rollback has something to undo).
 */
const FAULT = [
  `CREATE FUNCTION release_fault() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    queued int; v int; released int; audited int; jobs int;
  BEGIN
    SELECT count(*) INTO queued FROM evaluation_runs
      WHERE dataset_version_id = NEW.dataset_version_id AND kind = 'rescore';
    IF NEW.kind <> 'rescore' OR queued = 0 THEN RETURN NEW; END IF;
    SELECT number INTO v FROM dataset_versions WHERE id = NEW.dataset_version_id;
    SELECT count(*) INTO released FROM corrections WHERE released_in = NEW.dataset_version_id;
    SELECT count(*) INTO audited FROM audit_events a
      WHERE (a.entity_type = 'dataset_version' AND a.entity_id = NEW.dataset_version_id::text)
         OR (a.action = 'correction.released'
             AND a.entity_id IN (SELECT id::text FROM corrections WHERE released_in = NEW.dataset_version_id));
    SELECT count(*) INTO jobs FROM pgboss.job j
      WHERE j.data->>'runId' IN (SELECT id::text FROM evaluation_runs WHERE dataset_version_id = NEW.dataset_version_id);
    RAISE EXCEPTION 'injected fault after v% was written: % correction released, % audit rows, % re-scoring queued with % job',
      v, released, audited, queued, jobs;
  END $$`,
  'CREATE TRIGGER release_fault BEFORE INSERT ON evaluation_runs FOR EACH ROW EXECUTE FUNCTION release_fault()',
];

describe('release safeguards', () => {
  it('refuses conflicting approved corrections, naming them, before anything is written', async () => {
    const id = await spiderCopy('spider-conflict');
    const a = await approvedCorrection(id, '5', { query: 'SELECT count(*) FROM singer WHERE country = "France"' });
    const b = await approvedCorrection(id, '5', { query: "SELECT count(*) FROM singer WHERE country = 'France'" });
    const err = await releaseVersion(p, admin.actor, { benchmark: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      code: 'conflict',
      message: `conflicting approved corrections: example 5 (${a.id}, ${b.id}); withdraw or supersede all but one`,
    });
    expect(await versionNumbers(id)).toEqual([1]);
    // with one of them withdrawn, the other is released
    await withdrawCorrection(p, admin.actor, b.id);
    expect(await releaseVersion(p, admin.actor, { benchmark: id })).toEqual({
      version: 2,
      corrections: 1,
      rescoring: 0,
    });
  });

  it('refuses a correction proposed against gold that a release has changed since', async () => {
    // two proposals for the same example against v1; one is released in v2, then the other approved
    const id = await spiderCopy('spider-stale');
    const first = await approvedCorrection(id, '7', { query: 'SELECT count(*) FROM singer WHERE age > 20' });
    const stale = await proposeCorrection(p, proposer.actor, {
      benchmark: id,
      exampleId: '7',
      fields: { query: 'SELECT count(*) FROM singer WHERE age > 40' },
      category: 'wrong_gold',
      rationale: 'proposed against v1',
    });
    expect(await releaseVersion(p, admin.actor, { benchmark: id })).toMatchObject({ version: 2, corrections: 1 });
    await reviewCorrection(p, reviewer.actor, { id: stale.id, decision: 'approve' });
    const err = await releaseVersion(p, admin.actor, { benchmark: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      code: 'conflict',
      message: `correction ${stale.id} was proposed against other gold than v2 has for example 7 (query); propose it again`,
    });
    expect(await versionNumbers(id)).toEqual([1, 2]);
    const [still] = await p.db.select().from(corrections).where(eq(corrections.id, stale.id));
    expect([still?.state, still?.releasedIn]).toEqual(['approved', null]);
    expect((await getCorrection(p, first.id)).state).toBe('released');
  });

  it('rolls back a release that fails after its version row is written: no version, state, audit row or run', async () => {
    // Spider dev, whose submissions (the three baselines, and any another test added) are scored on
    // its latest version, so the release queues their re-scorings: the fault needs a second one
    const latest = Math.max(...(await versionNumbers('spider-dev')));
    const [parent] = await p.db
      .select({ id: datasetVersions.id })
      .from(datasetVersions)
      .where(and(eq(datasetVersions.benchmarkId, 'spider-dev'), eq(datasetVersions.number, latest)));
    const scored = (
      await p.db
        .select({ id: results.submissionId })
        .from(results)
        .where(and(eq(results.datasetVersionId, parent?.id ?? ''), eq(results.isCurrent, true)))
    )
      .map((r) => r.id)
      .sort();
    expect(scored.length).toBeGreaterThanOrEqual(3);
    const c = await approvedCorrection('spider-dev', '11', { question: 'How many singers are there in France?' });
    const before = await releaseState();
    expect(before.approved).toEqual([c.id]);
    // the second re-scoring the release queues fails: by then the new version, the released corrections, the
    // audit rows and one queued run are written in the release's transaction (the message counts them)
    for (const statement of FAULT) await p.sql.unsafe(statement);
    let err: unknown;
    try {
      err = await releaseVersion(p, admin.actor, { benchmark: 'spider-dev' }).catch((e: unknown) => e);
    } finally {
      await p.sql.unsafe('DROP TRIGGER release_fault ON evaluation_runs');
      await p.sql.unsafe('DROP FUNCTION release_fault()');
    }
    expect(err).toBeInstanceOf(DrizzleQueryError);
    expect((err as DrizzleQueryError).cause).toMatchObject({
      code: 'P0001',
      message: `injected fault after v${latest + 1} was written: 1 correction released, 2 audit rows, 1 re-scoring queued with 1 job`,
    });
    expect(await releaseState()).toEqual(before);
    // and the same release succeeds once the fault is gone, re-scoring every submission scored on its parent
    expect(await releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).toEqual({
      version: latest + 1,
      corrections: 1,
      rescoring: scored.length,
    });
    const queued = await p.db
      .select({ submissionId: evaluationRuns.submissionId, kind: evaluationRuns.kind, state: evaluationRuns.state })
      .from(evaluationRuns)
      .innerJoin(datasetVersions, eq(datasetVersions.id, evaluationRuns.datasetVersionId))
      .where(and(eq(datasetVersions.benchmarkId, 'spider-dev'), eq(datasetVersions.number, latest + 1)))
      .orderBy(evaluationRuns.submissionId);
    expect(queued).toEqual(scored.map((submissionId) => ({ submissionId, kind: 'rescore', state: 'queued' })));
  });

  it('keeps the audit rows of corrections append-only', async () => {
    const id = await spiderCopy('spider-audit');
    const c = await approvedCorrection(id, '9', { question: 'Count the singers.' });
    const refusal = (q: Promise<unknown>) =>
      q.then(
        () => 'accepted',
        (err: { cause?: unknown }) => String(err.cause ?? err),
      );
    const rows = p.db.select().from(auditEvents).where(eq(auditEvents.entityId, c.id)).orderBy(asc(auditEvents.id));
    const history = await rows;
    expect(history.map((h) => h.action)).toEqual(['correction.proposed', 'correction.reviewed', 'correction.approved']);
    const update = p.db
      .update(auditEvents)
      .set({ action: 'correction.rejected' })
      .where(eq(auditEvents.entityId, c.id));
    expect(await refusal(update)).toBe('PostgresError: audit_events is append-only: UPDATE is not allowed');
    expect(await refusal(p.db.delete(auditEvents).where(eq(auditEvents.entityId, c.id)))).toBe(
      'PostgresError: audit_events is append-only: DELETE is not allowed',
    );
    expect(await rows).toEqual(history);
  });
});

describe('two releases at once', () => {
  it('of the same approved corrections: one makes the version, the other finds nothing left to release', async () => {
    const id = await spiderCopy('spider-twice');
    const c = await approvedCorrection(id, '3', { question: 'How many singers do we have in all?' });
    const outcomes = await Promise.all([0, 1].map(() => settle(releaseVersion(p, admin.actor, { benchmark: id }))));
    expect(outcomes.filter((o) => 'value' in o).map((o) => o.value)).toEqual([
      { version: 2, corrections: 1, rescoring: 0 },
    ]);
    const refused = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(DomainError);
    expect(refused[0]).toMatchObject({
      code: 'bad_input',
      message: `bad input: "${id}" has no approved corrections to release`,
    });
    expect(await versionNumbers(id)).toEqual([1, 2]);
    expect((await getCorrection(p, c.id)).history.map((h) => h.action)).toEqual([
      'correction.proposed',
      'correction.reviewed',
      'correction.approved',
      'correction.released',
    ]);
  });

  it('one after the other: the later one builds on the earlier one’s version, with the next number', async () => {
    const id = await spiderCopy('spider-race');
    const c1 = await approvedCorrection(id, '3', { question: 'first release' });
    const c2 = await proposeCorrection(p, proposer.actor, {
      benchmark: id,
      exampleId: '4',
      fields: { question: 'second release' },
      category: 'ambiguous_question',
      rationale: 'approved while the first release is under way',
    });
    // another session holds c1, so the first release stops inside its transaction once it has
    // locked the benchmark and read its parent version (v1)
    let letGo = () => {};
    const held = new Promise<void>((r) => {
      letGo = r;
    });
    let holding = () => {};
    const locked = new Promise<void>((r) => {
      holding = r;
    });
    const holder = p.sql.begin(async (tx) => {
      await tx`select id from corrections where id = ${c1.id} for share`;
      holding();
      await held;
    });
    await locked;
    try {
      const first = settle(releaseVersion(p, admin.actor, { benchmark: id }));
      await waitForLockWaits(1);
      // c2 is approved meanwhile, and a second release starts: it must wait for the first and then
      // release c2 on top of the first one's version
      await reviewCorrection(p, reviewer.actor, { id: c2.id, decision: 'approve' });
      const second = settle(releaseVersion(p, admin.actor, { benchmark: id }));
      await waitForLockWaits(2);
      letGo();
      await holder;
      expect(await first).toEqual({ value: { version: 2, corrections: 1, rescoring: 0 } });
      expect(await second).toEqual({ value: { version: 3, corrections: 1, rescoring: 0 } });
    } finally {
      letGo();
      await holder;
    }
    const versions = await p.db
      .select()
      .from(datasetVersions)
      .where(eq(datasetVersions.benchmarkId, id))
      .orderBy(asc(datasetVersions.number));
    expect(versions.map((v) => [v.number, versions.find((x) => x.id === v.parentId)?.number ?? null])).toEqual([
      [1, null],
      [2, 1],
      [3, 2],
    ]);
    expect(versions.map((v) => v.changedExamples)).toEqual([[], ['3'], ['4']]);
    // v3 carries both corrections
    const dev = async (n: number) =>
      JSON.parse((await buffer((await versionFile(p, id, n, 'dev.json')).open())).toString('utf8')) as {
        question: string;
      }[];
    expect((await dev(3)).slice(3, 5).map((e) => e.question)).toEqual(['first release', 'second release']);
    expect((await dev(2)).slice(3, 5).map((e) => e.question)).toEqual(['first release', (await dev(1))[4]?.question]);
    const released = await p.db
      .select({ id: corrections.id, version: datasetVersions.number })
      .from(corrections)
      .innerJoin(datasetVersions, eq(datasetVersions.id, corrections.releasedIn))
      .where(eq(corrections.benchmarkId, id))
      .orderBy(asc(datasetVersions.number));
    expect(released).toEqual([
      { id: c1.id, version: 2 },
      { id: c2.id, version: 3 },
    ]);
  });
});

describe('quorum and supersession', () => {
  it('waits for the configured number of approvals, and lets a proposer replace their proposal', async () => {
    // the quorum comes from the benchmark's manifest, as a maintainer writes it
    await spiderCopy('spider-q2', { corrections: { quorum: 2 } });
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
