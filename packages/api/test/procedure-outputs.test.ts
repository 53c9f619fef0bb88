import { type Actor, appendLogs, claim, getSubmission, registerRunner, resolveSecret, submit } from '@trueboard/core';
import { goodPredictions, makeUser, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCallerFactory } from '../src/index';

/*
 * A procedure's `.output()` schema is what decides which fields leave the server: core returns whole
 * rows, and zod drops every key the schema does not name. A public submission's page is served to
 * anyone, so the submitter's user id, the client's idempotency key, the quota bookkeeping and the
 * lease of the runner working on it must not reach a stranger, although core's getSubmission has
 * them.
 */

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let submissionId: string;
let stranger: Actor;

const createCaller = createCallerFactory(appRouter);
const callerFor = (actor: Actor) =>
  createCaller({
    platform: p,
    actor,
    requestId: 'outputs',
    viaCookie: false,
    req: new Request('http://localhost/api/trpc'),
    resHeaders: new Headers(),
  });

/** what must not leave the server, on the submission and on each of its runs */
const PRIVATE_SUBMISSION_FIELDS = ['submittedBy', 'clientRequestId', 'countsTowardQuota', 'cancelledBy'];
const PRIVATE_RUN_FIELDS = ['runnerId', 'leaseExpiresAt'];

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  const s = await submit(
    p,
    cast.acme.owner.actor,
    { benchmark: 'toy-qa', method: cast.method.id, isPublic: true },
    goodPredictions(),
    { clientRequestId: 'retry-key-of-the-submitter' },
  );
  submissionId = s.id;
  // a runner holds the run: it has a runner and a lease now
  const runner = await resolveSecret(p, cast.runnerToken.secret);
  const { runnerId } = await registerRunner(p, runner, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  const job = await claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
  if (job?.submissionId !== s.id) throw new Error('expected the job of the new submission');
  await appendLogs(p, runner, job.runId, { lines: [{ level: 'info', message: 'loading the dataset' }] });
  stranger = (await makeUser(p, { name: 'stranger' })).actor;
});
afterAll(() => p.close());

describe('procedure output schemas', () => {
  it("core's submission has the private fields (what the schema has to strip)", async () => {
    const s = await getSubmission(p, stranger, submissionId);
    expect(s.clientRequestId).toBe('retry-key-of-the-submitter');
    expect(s.submittedBy).toBe(cast.acme.owner.id);
    expect(s.runs[0]?.runnerId).toEqual(expect.any(String));
    expect(s.runs[0]?.leaseExpiresAt).toBeInstanceOf(Date);
  });

  for (const [who, actor] of [
    ['signed out', () => ({ kind: 'anonymous' }) as const],
    ['a user of no team', () => stranger],
  ] as const) {
    it(`submissions.get serves ${who} the page's fields and none of the private ones`, async () => {
      const s = await callerFor(actor()).submissions.get({ id: submissionId });
      expect(s).toMatchObject({ id: submissionId, state: 'running', isPublic: true, method: { name: 'Lookup table' } });
      for (const field of PRIVATE_SUBMISSION_FIELDS) expect(s).not.toHaveProperty(field);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]).toMatchObject({ state: 'running', progressMessage: 'claimed' });
      for (const field of PRIVATE_RUN_FIELDS) expect(s.runs[0]).not.toHaveProperty(field);
    });
  }

  it('submissions.logs serves the lines, with nothing but the named fields', async () => {
    const s = await callerFor(stranger).submissions.get({ id: submissionId });
    const runId = s.runs[0]?.id ?? '';
    const lines = await callerFor(stranger).submissions.logs({ submissionId, runId, afterId: 0 });
    expect(lines.map((l) => Object.keys(l).sort())).toEqual([['createdAt', 'id', 'level', 'message']]);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'loading the dataset' });
  });
});
