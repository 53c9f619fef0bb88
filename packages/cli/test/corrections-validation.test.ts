import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorrectionValidationState } from '@trueboard/contracts';
import {
  createApiToken,
  createRunnerToken,
  importBenchmarkDir,
  releaseVersion,
  reviewCorrection,
  setMember,
} from '@trueboard/core';
import { Runner, type RunnerEvent } from '@trueboard/kit';
import { makeUser, serveTestPlatform, type TestPlatform, testPlatform, trpcHttp, waitFor } from '@trueboard/testkit';
import { text2sqlEvaluator } from '@trueboard/text2sql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinValidators } from '../src/evaluators';
import { runCli } from './helpers';
import { SPIDER } from './spider-platform';

/*
 * Proposals are validated by runners, never by the platform's process: on the real Spider dev
 * benchmark, over HTTP, with the kit's runner and the text-to-SQL validator the `trueboard runner`
 * command wires in. A failing gold ends `invalid` with SQLite's error and cannot be approved or
 * released; a good one ends `valid` with the evidence; with no runner online for the configured wait
 * a proposal reads `unvalidated`, and a runner that comes later still validates it.
 */

const WAIT_SECONDS = 2;

let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let reviewer: Awaited<ReturnType<typeof makeUser>>;
let proposerToken: string;
let runnerSecret: string;
const cacheDir = mkdtempSync(join(tmpdir(), 'tb-validation-cache-'));
const runners: Runner[] = [];

beforeAll(async () => {
  p = await testPlatform({ validationWaitSeconds: WAIT_SECONDS });
  admin = await makeUser(p, { admin: true, name: 'admin' });
  await importBenchmarkDir(p, admin.actor, SPIDER);
  reviewer = await makeUser(p, { name: 'reviewer' });
  await setMember(p, admin.actor, { team: 'maintainers', email: reviewer.email, role: 'reviewer' });
  const proposer = await makeUser(p, { name: 'proposer' });
  proposerToken = (await createApiToken(p, proposer.actor, { name: 't' })).secret;
  runnerSecret = (await createRunnerToken(p, admin.actor, { name: 'validation test' })).secret;
  srv = await serveTestPlatform(p);
}, 120_000);
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop({ graceful: false })));
});
afterAll(async () => {
  await srv?.close();
  await p?.close();
});

/** A runner as `trueboard runner` makes it (the built-in evaluator and validators), polling fast. */
async function startRunner() {
  const events: RunnerEvent[] = [];
  const runner = new Runner({
    server: srv.baseUrl,
    token: runnerSecret,
    device: 'cpu',
    evaluators: { text2sql: text2sqlEvaluator },
    validators: await builtinValidators(),
    cacheDir,
    waitSeconds: 1,
    validationPollMs: 50,
    onEvent: (e) => events.push(e),
  });
  runners.push(runner);
  void runner.start();
  await waitFor('registration', async () => runner.runnerId);
  return { runner, events };
}

interface Proposal {
  id: string;
  state: string;
  validationStatus: CorrectionValidationState;
}

let n = 0;
/** Proposes a new gold query for an example over the API, as the web form does. */
function propose(exampleId: string, query: string) {
  return trpcHttp<Proposal>(
    srv.baseUrl,
    'corrections.propose',
    { benchmark: 'spider-dev', exampleId, fields: { query }, category: 'wrong_gold', rationale: `test ${++n}` },
    { token: proposerToken, mutation: true },
  );
}

const read = (id: string) =>
  trpcHttp<Proposal & { validation: { ok: boolean; details: Record<string, unknown> } | null }>(
    srv.baseUrl,
    'corrections.get',
    { id },
  );

/** Reads the proposal until its check is no longer `validating`. */
async function settled(id: string) {
  return waitFor(`the check of ${id}`, async () => {
    const c = await read(id);
    return c.validationStatus.status === 'validating' ? null : c;
  });
}

describe('proposals are validated by runners', () => {
  it('with no runner online it reads unvalidated after the wait; a runner that comes later validates it', {
    timeout: 60_000,
  }, async () => {
    const c = await propose('0', 'SELECT count(*) FROM singer WHERE age > 30');
    expect(c.validationStatus).toEqual({
      status: 'validating',
      message: null,
      answeredAt: null,
      attempts: 0,
    });
    await new Promise((r) => setTimeout(r, WAIT_SECONDS * 1000 + 200));
    const late = await read(c.id);
    expect(late.validationStatus).toMatchObject({
      status: 'unvalidated',
      message: `no text2sql runner was online for ${WAIT_SECONDS} s`,
    });
    expect(late.validation).toBeNull();
    const listed = await trpcHttp<Proposal[]>(srv.baseUrl, 'corrections.list', { benchmark: 'spider-dev' });
    expect(listed.find((x) => x.id === c.id)?.validationStatus.status).toBe('unvalidated');

    await startRunner();
    const done = await settled(c.id);
    expect(done.validationStatus).toMatchObject({ status: 'valid', message: null });
    // which runner answered is not served (see the corrections router's output schemas)
    expect(done.validationStatus).not.toHaveProperty('runnerId');
    // the evidence: the old gold (6 singers) and the new one (the older ones) differ
    expect(done.validation).toMatchObject({
      ok: true,
      details: {
        db_id: 'concert_singer',
        same_result_bird: false,
        new: { sql: 'SELECT count(*) FROM singer WHERE age > 30' },
      },
    });
  });

  it('a failing gold ends invalid with the SQLite error, and cannot be approved', { timeout: 60_000 }, async () => {
    await startRunner();
    const c = await propose('1', 'SELECT count(*) FROM singers');
    expect(c.validationStatus.status).toBe('validating');
    const done = await settled(c.id);
    expect(done.validationStatus).toMatchObject({
      status: 'invalid',
      message: 'the new gold query does not run: sql_error: no such table: singers',
      attempts: 1,
    });
    expect(done.state).toBe('proposed');
    await expect(reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' })).rejects.toMatchObject({
      code: 'conflict',
      message: `an invalid correction cannot be approved: a runner found its new gold invalid: correction ${c.id} (example 1): the new gold query does not run: sql_error: no such table: singers`,
    });
    // rejecting it is another matter
    expect(await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'reject' })).toEqual({
      id: c.id,
      state: 'rejected',
    });
  });

  it('one approved while validating that a runner then finds invalid cannot be released', {
    timeout: 60_000,
  }, async () => {
    const c = await propose('2', 'SELECT nothing FROM singer');
    // reviewers may decide a proposal still being validated: they see its status
    expect(await reviewCorrection(p, reviewer.actor, { id: c.id, decision: 'approve' })).toEqual({
      id: c.id,
      state: 'approved',
    });
    await startRunner();
    expect((await settled(c.id)).validationStatus.status).toBe('invalid');
    await expect(releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).rejects.toMatchObject({
      code: 'conflict',
      message: `cannot release invalid corrections (a runner found their new gold invalid): correction ${c.id} (example 2): the new gold query does not run: sql_error: near "nothing": syntax error; reject or withdraw them first`,
    });
  });
});

describe('trueboard corrections propose', () => {
  it('prints the status and, with --wait, follows it until a runner answers', { timeout: 120_000 }, async () => {
    await startRunner();
    const args = (example: string, query: string) => [
      'corrections',
      'propose',
      '--server',
      srv.baseUrl,
      '--token',
      proposerToken,
      '--benchmark',
      'spider-dev',
      '--example',
      example,
      '--set',
      `query=${query}`,
      '--rationale',
      'from the CLI',
      '--wait',
    ];
    const bad = await runCli(args('3', 'SELECT count(*) FROM singer WHERE'));
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toMatch(/^proposed [0-9a-f-]{36}: example 3 \(query\)$/m);
    expect(bad.output).toContain('validation: validating\n');
    expect(bad.output).toMatch(/^validation: invalid: the new gold query does not run: sql_error: incomplete input$/m);
    const good = await runCli(args('4', 'SELECT avg(age), min(age), max(age) FROM singer'));
    expect(good.code, good.output).toBe(0);
    expect(good.output).toMatch(/validation: validating\nvalidation: valid\n/);
  });
});
