import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  claim,
  claimValidation,
  completeRun,
  completeValidation,
  createMethod,
  getCorrection,
  importBenchmarkDir,
  registerRunner,
  resolveSecret,
  submit,
} from '@trueboard/core';
import {
  goodPredictions,
  makeUser,
  type TestPlatform,
  testPlatform,
  testReport,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCallerFactory } from '../src/index';

/*
 * The corrections router's `.output()` schemas decide what of core's rows leaves the server. A
 * correction's page is public: it must keep everything the page and the CLI read (the validator's
 * evidence, reviews, history, the gold fields) and drop which runner holds or answered its check,
 * which core's getCorrection has in the check and in the history's audit records.
 */

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let runner: Actor;
let runnerId: string;
let proposer: Actor;
let stranger: Actor;
let correctionId: string;

const BENCHMARK = 'spider-outputs';
const EVIDENCE = { old: { sql: 'SELECT 0', rows: [[0]] }, new: { sql: 'SELECT 1000', rows: [[1000]] } };

const createCaller = createCallerFactory(appRouter);
const callerFor = (actor: Actor) =>
  createCaller({
    platform: p,
    actor,
    requestId: 'correction-outputs',
    viaCookie: false,
    req: new Request('http://localhost/api/trpc'),
    resHeaders: new Headers(),
  });
const anonymous: Actor = { kind: 'anonymous' };

/** A Spider-layout benchmark of acme's (corrections need an annotation format). */
function spiderDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-correction-outputs-'));
  const dev = [0, 1, 2].map((i) => ({ db_id: 'shop', query: `SELECT ${i}`, question: `Question ${i}?` }));
  writeFileSync(join(dir, 'dev.json'), JSON.stringify(dev));
  writeFileSync(join(dir, 'dev_gold.sql'), dev.map((e) => `${e.query}\t${e.db_id}\n`).join(''));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      id: BENCHMARK,
      name: BENCHMARK,
      family: 'text2sql',
      ownerTeam: 'acme',
      metrics: [{ name: 'accuracy', label: 'Accuracy' }],
      primaryMetric: 'accuracy',
      files: ['dev.json', 'dev_gold.sql'],
    }),
  );
  return dir;
}

/** Claims the next run and completes it with an accuracy of 50 (every system scores the same). */
async function scoreNext() {
  const job = await claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
  if (!job) throw new Error('expected a queued run');
  const examples = ['0', '1'].map((id) => ({ id, verdict: id === '0' ? 0 : 1, data: {} }));
  const metrics = [{ name: 'accuracy', semantics: 'exact-match', value: 50, ci: null, n: 2 }];
  await completeRun(p, runner, job.runId, { report: testReport(job, { metrics, examples }) });
}

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  await importBenchmarkDir(p, cast.admin.actor, spiderDir());
  runner = await resolveSecret(p, cast.runnerToken.secret);
  ({ runnerId } = await registerRunner(p, runner, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  }));
  proposer = (await makeUser(p, { name: 'proposer' })).actor;
  stranger = (await makeUser(p, { name: 'stranger' })).actor;
  // two public systems scored alike on v1: their ranks tie on both versions
  const other = await createMethod(p, cast.acme.owner.actor, { team: 'acme', name: 'Other method' });
  for (const method of [cast.method.id, other.id]) {
    await submit(p, cast.acme.owner.actor, { benchmark: BENCHMARK, method, isPublic: true }, goodPredictions());
    await scoreNext();
  }
}, 60_000);
afterAll(() => p.close());

describe('correction output schemas', () => {
  it("serves a proposal's check without the runner holding it, although core has it", async () => {
    const c = await callerFor(proposer).corrections.propose({
      benchmark: BENCHMARK,
      exampleId: '0',
      fields: { query: 'SELECT 1000' },
      category: 'wrong_gold',
      rationale: 'the gold selects the wrong constant',
    });
    correctionId = c.id;
    expect(c.yours).toBe(true);
    expect(c).not.toHaveProperty('proposedBy');
    expect(c).toMatchObject({ exampleId: '0', fields: { query: 'SELECT 1000' }, before: { query: 'SELECT 0' } });
    expect(c.validationStatus).toEqual({ status: 'validating', message: null, answeredAt: null, attempts: 0 });
    // a runner takes the check: it holds a lease on it now
    const job = await claimValidation(p, runner, { runnerId, families: ['text2sql'] });
    expect(job?.id).toBe(c.id);
    expect((await getCorrection(p, c.id)).validationStatus.runnerId).toBe(runnerId);
    for (const actor of [anonymous, stranger]) {
      const seen = await callerFor(actor).corrections.get({ id: c.id });
      expect(seen.validationStatus).toEqual({ status: 'validating', message: null, answeredAt: null, attempts: 1 });
      const [row] = await callerFor(actor).corrections.list({ benchmark: BENCHMARK });
      expect(row?.validationStatus).toEqual(seen.validationStatus);
    }
    await completeValidation(p, runner, c.id, { attempt: job?.attempt ?? 0, ok: true, details: EVIDENCE });
  });

  it("tells only the signed-in proposer the correction is theirs, and serves nobody the proposer's id", async () => {
    if (proposer.kind !== 'user') throw new Error('expected a user actor');
    const proposerId = proposer.userId;
    for (const actor of [anonymous, stranger, cast.admin.actor]) {
      const seen = await callerFor(actor).corrections.get({ id: correctionId });
      expect(seen).toMatchObject({ yours: false, proposer: 'proposer' });
      const list = await callerFor(actor).corrections.list({ benchmark: BENCHMARK });
      for (const served of [seen, list]) {
        expect(JSON.stringify(served)).not.toContain(proposerId);
        expect(JSON.stringify(served)).not.toContain('proposedBy');
      }
    }
    const own = await callerFor(proposer).corrections.get({ id: correctionId });
    expect(own).toMatchObject({ yours: true, proposer: 'proposer' });
    expect(own).not.toHaveProperty('proposedBy');
  });

  it("keeps the validator's evidence and the history, without the answering runner in it", async () => {
    const core = await getCorrection(p, correctionId);
    const validated = (c: { history: { action: string; after: unknown }[] }) =>
      c.history.find((h) => h.action === 'correction.validated')?.after;
    expect(validated(core)).toMatchObject({ status: 'valid', runnerId });
    const c = await callerFor(anonymous).corrections.get({ id: correctionId });
    expect(c.validation).toEqual({ ok: true, details: EVIDENCE });
    expect(c.validationStatus).toMatchObject({ status: 'valid', attempts: 1, answeredAt: expect.any(Date) });
    expect(c.validationStatus).not.toHaveProperty('runnerId');
    expect(validated(c)).toEqual({ status: 'valid', message: null, attempt: 1 });
    expect(c.history[0]).toMatchObject({
      action: 'correction.proposed',
      actor: 'proposer',
      before: { query: 'SELECT 0' },
      after: { fields: { query: 'SELECT 1000' }, category: 'wrong_gold', version: 1 },
    });
    expect(c).toMatchObject({ proposer: 'proposer', version: 1, quorum: 1, state: 'proposed', evidence: '' });
  });

  it('serves reviews by name, the release, its version and diff', async () => {
    const reviewer = cast.acme.members.reviewer;
    const maintainer = cast.acme.members.maintainer;
    if (!reviewer || !maintainer) throw new Error('expected acme reviewer and maintainer');
    expect(
      await callerFor(reviewer.actor).corrections.review({ id: correctionId, decision: 'approve', comment: 'right' }),
    ).toEqual({ id: correctionId, state: 'approved' });
    expect(await callerFor(maintainer.actor).corrections.release({ benchmark: BENCHMARK })).toEqual({
      version: 2,
      corrections: 1,
      rescoring: 2,
    });
    const c = await callerFor(stranger).corrections.get({ id: correctionId });
    expect(c.state).toBe('released');
    expect(c.reviews.map((r) => Object.keys(r).sort())).toEqual([['comment', 'createdAt', 'decision', 'reviewer']]);
    expect(c.reviews[0]).toMatchObject({ decision: 'approve', comment: 'right', reviewer: 'acme-reviewer' });
    expect(c.history.find((h) => h.action === 'correction.reviewed')?.after).toEqual({
      decision: 'approve',
      comment: 'right',
    });
    const v = await callerFor(anonymous).corrections.version({ benchmark: BENCHMARK, version: 2 });
    expect(v).toMatchObject({ number: 2, parent: 1, changedExamples: ['0'] });
    expect(v.files.map((f) => f.path).sort()).toEqual(['dev.json', 'dev_gold.sql']);
    const diff = await callerFor(anonymous).corrections.diff({ benchmark: BENCHMARK, version: 2 });
    expect(diff.changes).toEqual([
      {
        exampleId: '0',
        before: { query: 'SELECT 0' },
        after: { query: 'SELECT 1000' },
        corrections: [
          {
            id: correctionId,
            category: 'wrong_gold',
            rationale: 'the gold selects the wrong constant',
            proposer: 'proposer',
          },
        ],
      },
    ]);
    const gold = await callerFor(anonymous).corrections.example({ benchmark: BENCHMARK, exampleId: '0' });
    expect(gold).toMatchObject({ version: 2, fields: { query: 'SELECT 1000' }, editable: expect.any(Array) });
  });

  it('serves the impact of a release where every system ties (the rank correlations are NaN)', async () => {
    await scoreNext();
    await scoreNext();
    const im = await callerFor(anonymous).corrections.impact({ benchmark: BENCHMARK, from: 1, to: 2 });
    expect(im.systems).toHaveLength(2);
    expect(im.systems[0]).toMatchObject({ scoreFrom: 50, scoreTo: 50, change: 0, rankChange: 0 });
    expect(im.spearman).toMatchObject({ n: 2 });
    expect(Number.isNaN(im.spearman?.value)).toBe(true);
    expect(im.flips.map((f) => f.flipped)).toEqual([[], []]);
  });
});
