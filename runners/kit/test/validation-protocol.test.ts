import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CorrectionValidator, ValidationJob } from '@trueboard/contracts';
import { getCorrection, importBenchmarkDir, proposeCorrection } from '@trueboard/core';
import { correctionValidations } from '@trueboard/db';
import { waitFor } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError, RUNNER_VERSION, type RunnerEvent } from '../src/index';
import { type Live, livePlatform } from './live-platform';
import { probeEvaluator } from './probe-evaluator';

/*
 * Correction checks over the runner protocol, between the kit and the real platform (api REST
 * routes, core, Postgres): a runner of the family claims a proposal's check with a lease, fetches the
 * dataset files through its cache, and answers; a validator that throws is a failed attempt; an
 * expired lease is claimed again; runners of other families and other tokens cannot touch a check.
 * The validators here are probes (the text-to-SQL one runs against Spider in packages/cli/test).
 */

const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));
const DB_FILE = 'database/concert_singer/concert_singer.sqlite';

let live: Live;
let proposer: Live['cast']['acme']['owner'];
beforeAll(async () => {
  live = await livePlatform();
  await importBenchmarkDir(live.p, live.cast.admin.actor, SPIDER);
  proposer = live.cast.acme.owner;
}, 120_000);
afterEach(async () => {
  await live.reset();
  // a check a test left pending must not be claimed by the next test's runner
  await live.p.db.execute(
    sql`update correction_validations set status = 'unvalidated', message = 'test ended', answered_at = now(), lease_expires_at = null where status = 'validating'`,
  );
});
afterAll(() => live?.close());

let n = 0;
/** A new proposal on Spider dev (example 0's gold query changed); its check starts `validating`. */
async function propose(query = `SELECT count(*) FROM singer -- ${++n}`) {
  const c = await proposeCorrection(
    live.p,
    proposer.actor,
    { benchmark: 'spider-dev', exampleId: '0', fields: { query }, category: 'wrong_gold', rationale: 'test' },
    { rateLimited: false },
  );
  expect(c.validationStatus).toMatchObject({ status: 'validating', attempts: 0 });
  return c.id;
}

async function checkRow(id: string) {
  const [row] = await live.p.db.select().from(correctionValidations).where(eq(correctionValidations.correctionId, id));
  if (!row) throw new Error(`no check of ${id}`);
  return row;
}

/** A runner process speaking the protocol by hand: registered with `families` under a token. */
async function rawRunner(token: string, families: ('text2sql' | 'rerank')[] = ['text2sql']) {
  const client = new PlatformClient(live.url, token, { baseDelayMs: 1, maxDelayMs: 5 });
  const { runnerId } = await client.register({ hostname: 'raw', device: 'cpu', families, version: RUNNER_VERSION });
  return { client, runnerId, claim: () => client.claimValidation({ runnerId, families }) };
}

/** The status code of a refused call (the test fails if the call went through). */
async function refusal(call: Promise<unknown>): Promise<number | undefined> {
  const e = await call.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PlatformError);
  return (e as PlatformError).status;
}

const finished = (e: RunnerEvent): e is Extract<RunnerEvent, { type: 'validation-finished' }> =>
  e.type === 'validation-finished';

describe('a runner checks proposals of its family', () => {
  it('gives the validator the example, the new fields and the dataset files by hash; records its answer', async () => {
    const id = await propose('SELECT name FROM singer');
    const seen: {
      example: Record<string, string>;
      fields: Record<string, string>;
      header: string;
      missing: unknown;
    }[] = [];
    const probe: CorrectionValidator = {
      async validate({ example, fields, file }) {
        const path = await file(DB_FILE);
        const header = path ? (await readFile(path)).subarray(0, 15).toString('latin1') : 'no file';
        seen.push({ example, fields, header, missing: await file('database/nope/nope.sqlite') });
        return { ok: false, message: 'probe: the new gold lists names, not a count', details: { header } };
      },
    };
    const { runner, events } = await live.runner(probeEvaluator(), {
      validators: { text2sql: async () => probe },
      validationPollMs: 20,
    });
    void runner.start();
    const done = await events.waitFor(finished);
    expect(done).toEqual({
      type: 'validation-finished',
      id,
      outcome: 'invalid',
      message: 'probe: the new gold lists names, not a count',
    });
    expect(seen).toEqual([
      {
        example: expect.objectContaining({ db_id: 'concert_singer', query: 'SELECT count(*) FROM singer' }),
        fields: { query: 'SELECT name FROM singer' },
        header: 'SQLite format 3',
        missing: null,
      },
    ]);
    const row = await checkRow(id);
    expect(row).toMatchObject({
      status: 'invalid',
      message: 'probe: the new gold lists names, not a count',
      runnerId: runner.runnerId,
      attempts: 1,
      leaseExpiresAt: null,
    });
    expect(row.answeredAt).toBeInstanceOf(Date);
    const c = await getCorrection(live.p, id);
    expect(c.validation).toEqual({
      ok: false,
      message: 'probe: the new gold lists names, not a count',
      details: { header: 'SQLite format 3' },
    });
    expect(c.validationStatus).toMatchObject({ status: 'invalid', runnerId: runner.runnerId });
    expect(c.history.map((h) => h.action)).toEqual(['correction.proposed', 'correction.validated']);
  });

  it('reports a validator that throws as a failed attempt, not an invalid proposal; after 3 it is unvalidated', {
    timeout: 60_000,
  }, async () => {
    const id = await propose();
    let calls = 0;
    const { runner, events } = await live.runner(probeEvaluator(), {
      validators: {
        text2sql: async () => ({
          validate: async () => {
            calls++;
            throw new Error(`validator crashed (${calls})`);
          },
        }),
      },
      validationPollMs: 20,
      // a claim that fails under load (CI) is retried at once, not after the production backoff
      reconnectDelayMs: 20,
    });
    void runner.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitFor(
        () => `failed attempt ${attempt}; the runner said: ${JSON.stringify(events.all.slice(-5))}`,
        async () => events.all.filter(finished).length >= attempt,
        50_000,
      );
      const row = await checkRow(id);
      if (attempt < 3) {
        // the attempt counts, the lease is given back, and the next waits a little
        expect(row).toMatchObject({
          status: 'validating',
          attempts: attempt,
          runnerId: null,
          leaseExpiresAt: null,
          message: `the validator failed on attempt ${attempt} of 3: validator crashed (${attempt})`,
        });
        expect(row.availableAt.getTime()).toBeGreaterThan(Date.now());
        expect((await getCorrection(live.p, id)).validationStatus.status).toBe('validating');
        await live.p.db.execute(
          sql`update correction_validations set available_at = now() where correction_id = ${id}`,
        );
      } else {
        expect(row).toMatchObject({
          status: 'unvalidated',
          attempts: 3,
          message: 'the validator failed on attempt 3 of 3: validator crashed (3)',
        });
      }
    }
    expect(events.all.filter(finished).map((e) => e.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(calls).toBe(3);
    const c = await getCorrection(live.p, id);
    expect(c.validation).toBeNull();
    expect(c.validationStatus.status).toBe('unvalidated');
  });

  it('goes on evaluating submissions while it checks proposals', async () => {
    const id = await propose();
    const submission = await live.submit();
    // the evaluation holds its job until the check is answered: a runner that checked proposals
    // only between evaluations would never answer it, and this test would time out
    const evaluator = probeEvaluator({
      during: async () => {
        await waitFor('the check, while the job runs', async () => (await checkRow(id)).status === 'valid');
      },
    });
    const { runner, events } = await live.runner(evaluator, {
      validators: { text2sql: async () => ({ validate: async () => ({ ok: true, details: {} }) }) },
      validationPollMs: 20,
      once: 1,
    });
    await runner.start();
    expect(events.outcomes()).toEqual(['completed']);
    expect(await live.results(submission)).toHaveLength(1);
    expect(await checkRow(id)).toMatchObject({ status: 'valid', runnerId: runner.runnerId });
  });
});

describe('leases and authorization of checks', () => {
  it('claims an expired lease again; a late answer of the old holder is refused; nothing stays stuck', async () => {
    const id = await propose();
    const a = await rawRunner(live.runnerToken);
    const b = await rawRunner(live.otherRunnerToken);
    const first = await a.claim();
    expect(first).toMatchObject({ id, attempt: 1, family: 'text2sql' });
    // the lease is live: nobody else gets it
    expect(await b.claim()).toBeNull();
    await expireLease(id);
    const second = await b.claim();
    expect(second).toMatchObject({ id, attempt: 2 });
    // the first holder's token no longer holds it: as if it did not exist
    expect(await refusal(a.client.validationResult(id, { attempt: 1, ok: true, details: {} }))).toBe(404);
    // another process of the same token took attempt 3: attempt 2's answer is a lost lease
    const b2 = await rawRunner(live.otherRunnerToken);
    await expireLease(id);
    expect(await b2.claim()).toMatchObject({ id, attempt: 3 });
    expect(await refusal(b.client.validationResult(id, { attempt: 2, ok: true, details: {} }))).toBe(409);
    // the last attempt's runner goes silent too: the check ends unvalidated instead of waiting forever
    await expireLease(id);
    expect(await a.claim()).toBeNull();
    expect(await checkRow(id)).toMatchObject({
      status: 'unvalidated',
      message: 'no answer after 3 attempts (the last runner stopped answering)',
    });

    const next = await propose();
    const job = await a.claim();
    expect(job?.id).toBe(next);
    expect(await a.client.validationResult(next, { attempt: 1, ok: true, details: { same: true } })).toEqual({
      status: 'valid',
    });
    expect(await checkRow(next)).toMatchObject({ status: 'valid', runnerId: a.runnerId, message: null });
    // answered: a repeat is refused
    expect(await refusal(a.client.validationResult(next, { attempt: 1, ok: false, details: {} }))).toBe(409);
  });

  it('hands nothing to a runner that hung up: its check stays pending and no attempt is spent', async () => {
    const id = await propose();
    const a = await rawRunner(live.runnerToken);
    // the platform is slow to get to the claim, and the runner stops meanwhile (it aborts its claim)
    const undelay = live.server.delay(/\/validations\/claim$/, 300);
    try {
      const stopping = new AbortController();
      const claim = a.client.claimValidation({ runnerId: a.runnerId, families: ['text2sql'] }, stopping.signal);
      setTimeout(() => stopping.abort(new Error('runner stopping')), 50);
      await expect(claim).rejects.toThrow();
    } finally {
      // only this claim is held back (it already waits); the ones below are not
      undelay();
    }
    // the platform carries the claim out after the caller left: it must grant nothing
    await live.server.idle();
    expect(await checkRow(id)).toMatchObject({
      status: 'validating',
      attempts: 0,
      runnerId: null,
      leaseExpiresAt: null,
    });
    // the next runner gets the check at once, as its first attempt
    const b = await rawRunner(live.otherRunnerToken);
    expect(await b.claim()).toMatchObject({ id, attempt: 1 });
  });

  it('a runner of another family cannot claim, answer or read the files of a check', async () => {
    const id = await propose();
    const rerank = await rawRunner(live.runnerToken, ['rerank']);
    expect(await rerank.claim()).toBeNull();
    // asking for a family it did not register with changes nothing
    expect(await rerank.client.claimValidation({ runnerId: rerank.runnerId, families: ['text2sql'] })).toBeNull();
    expect((await checkRow(id)).attempts).toBe(0);
    const text2sql = await rawRunner(live.otherRunnerToken);
    const job = (await text2sql.claim()) as ValidationJob;
    expect(job.id).toBe(id);
    const file = job.files.find((f) => f.path === DB_FILE);
    if (!file) throw new Error(`${DB_FILE} is not in the job`);
    // the holder reads the version's files; a runner holding nothing does not
    await (await text2sql.client.blob(file.sha256)).cancel();
    expect(await refusal(rerank.client.blob(file.sha256))).toBe(404);
    expect(await refusal(rerank.client.validationResult(id, { attempt: 1, ok: false, details: {} }))).toBe(404);
    expect(await refusal(rerank.client.validationFail(id, { attempt: 1, message: 'x' }))).toBe(404);
    expect((await checkRow(id)).status).toBe('validating');
    await text2sql.client.validationResult(id, { attempt: 1, ok: true, details: {} });
    // once answered, the files are no longer the holder's to read
    expect(await refusal(text2sql.client.blob(file.sha256))).toBe(404);
  });

  it('refuses user tokens and malformed ids', async () => {
    const res = await fetch(`${live.url}/api/runner/validations/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live.cast.ownerToken.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ runnerId: '00000000-0000-4000-8000-000000000000', families: ['text2sql'] }),
    });
    expect(res.status).toBe(401);
    const r = await rawRunner(live.runnerToken);
    expect(await refusal(r.client.validationResult('not-an-id', { attempt: 1, ok: true, details: {} }))).toBe(400);
    expect(
      await refusal(r.client.validationResult('00000000-0000-4000-8000-000000000000', { attempt: 1, ok: true })),
    ).toBe(404);
  });
});

async function expireLease(id: string) {
  await live.p.db.execute(
    sql`update correction_validations set lease_expires_at = now() - interval '1 second' where correction_id = ${id}`,
  );
}
