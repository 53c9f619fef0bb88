import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DomainError,
  getCorrection,
  leaderboard,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  withdrawCorrection,
} from '@trueboard/core';
import { artifacts, auditEvents, corrections, datasetVersions, evaluationRuns, results } from '@trueboard/db';
import { makeUser } from '@trueboard/testkit';
import { and, asc, DrizzleQueryError, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  admin,
  approvedCorrection,
  env,
  p,
  proposer,
  reviewer,
  spiderCopy,
  versionNumbers,
  withSpiderEnv,
} from './corrections-governance-setup';
import { SPIDER } from './spider-platform';

/*
 * Release safeguards of the corrections workflow (conflicts, stale corrections, atomicity, append-only
 * audit) and catch-up re-scoring, on the real Spider dev benchmark. The end-to-end flow is in
 * corrections-flow.test.ts; concurrent releases in corrections-release-races.test.ts; quorum and
 * supersession in corrections-quorum.test.ts. Each test starts from the platform of beforeAll (v1 of
 * Spider dev with its three baselines scored): tests that need no submissions release a copy of
 * Spider dev of their own.
 *
 * The catch-up test stays in this file, after the atomicity test, on purpose: that test's release of
 * Spider dev leaves re-scorings queued, and the catch-up test releases again before they run, so it
 * also covers submissions re-scored on an older version only after a newer release.
 */

withSpiderEnv();

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
