import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken, createRunnerToken, importBenchmarkDir } from '@trueboard/core';
import { corrections, correctionValidations } from '@trueboard/db';
import { Runner } from '@trueboard/kit';
import { makeUser, serveTestPlatform, type TestPlatform, testPlatform, waitFor } from '@trueboard/testkit';
import { text2sqlEvaluator } from '@trueboard/text2sql';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinValidators } from '../src/evaluators';
import { SPIDER } from './spider-platform';

/*
 * Correction proposals under issue 9, over HTTP against the real fetch handler, the real Spider dev
 * benchmark and a runner with the validators `trueboard runner` wires in: a proposal's SQL result is
 * capped in bytes when the runner executes it, proposals are rate-limited per user, and every input
 * of the corrections router is bounded. Each test failed before its fix (the 1 GB proposal was run
 * and kept, there was no rate limit, and over-long or out-of-range inputs passed or reached
 * PostgreSQL as 500s).
 */

const LIMIT = 3;
/** the proposal: 100 rows of 10 MB strings */
const HUNDRED_BY_10MB =
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 100) SELECT x, replace(hex(zeroblob(5000000)), '0', 'x') AS big FROM c";

let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let runner: Runner;
let proposer: Awaited<ReturnType<typeof makeUser>>;
let tokens: { proposer: string; other: string; admin: string };

beforeAll(async () => {
  p = await testPlatform({ proposalsPerHour: LIMIT });
  const admin = await makeUser(p, { admin: true, name: 'admin' });
  await importBenchmarkDir(p, admin.actor, SPIDER);
  proposer = await makeUser(p, { name: 'proposer' });
  const other = await makeUser(p, { name: 'other' });
  tokens = {
    proposer: (await createApiToken(p, proposer.actor, { name: 't' })).secret,
    other: (await createApiToken(p, other.actor, { name: 't' })).secret,
    admin: (await createApiToken(p, admin.actor, { name: 't' })).secret,
  };
  srv = await serveTestPlatform(p);
  runner = new Runner({
    server: srv.baseUrl,
    token: (await createRunnerToken(p, admin.actor, { name: 'validations' })).secret,
    device: 'cpu',
    evaluators: { text2sql: text2sqlEvaluator },
    validators: await builtinValidators(),
    cacheDir: mkdtempSync(join(tmpdir(), 'tb-sec-cache-')),
    waitSeconds: 1,
    validationPollMs: 50,
    onEvent: () => {},
  });
  void runner.start();
}, 120_000);

afterAll(async () => {
  await runner?.stop({ graceful: false });
  await srv?.close();
  await p?.close();
});

/** The stored check of a proposal once the runner has answered. */
async function answered(id: string | undefined) {
  if (!id) throw new Error('the proposal was not stored');
  return waitFor(`the check of ${id}`, async () => {
    const [v] = await p.db.select().from(correctionValidations).where(eq(correctionValidations.correctionId, id));
    return v && v.status !== 'validating' ? v : null;
  });
}

interface TrpcReply {
  result?: { data: unknown };
  error?: { message: string; data: { code: string; httpStatus: number; domainCode?: string } };
}

async function call(path: string, input: unknown, token: string | null, mutation = true) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = mutation
    ? await fetch(`${srv.baseUrl}/api/trpc/${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      })
    : await fetch(`${srv.baseUrl}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  const body = (await res.json()) as TrpcReply;
  return { status: res.status, message: body.error?.message, data: body.result?.data as { id?: string } | undefined };
}

const proposal = (exampleId: string, query: string, extra: Record<string, unknown> = {}) => ({
  benchmark: 'spider-dev',
  exampleId,
  fields: { query },
  category: 'wrong_gold',
  rationale: 'the gold is wrong',
  ...extra,
});

const propose = (input: unknown, token = tokens.proposer) => call('corrections.propose', input, token);

/** A user of a test's own, with an API token: a test that counts proposals starts at none. */
async function freshProposer(name: string) {
  const u = await makeUser(p, { name });
  return { ...u, token: (await createApiToken(p, u.actor, { name: 't' })).secret };
}

/** A proposal the runner's validator finds invalid (it counts against the hourly limit all the same). */
const REFUSED = 'SELECT randomblob(1e9)';

describe('SQL results of proposals are capped in bytes', () => {
  it('finds the 100 rows × 10 MB proposal invalid with "result larger than 16 MiB" and keeps none of its result', {
    timeout: 60_000,
  }, async () => {
    const r = await propose(proposal('0', HUNDRED_BY_10MB));
    expect(r.status).toBe(200);
    const check = await answered(r.data?.id);
    expect(check).toMatchObject({
      status: 'invalid',
      message: 'the new gold query does not run: result larger than 16 MiB',
    });
    // the evidence kept is an error and a preview of the old gold, never the result
    const [c] = await p.db.select().from(corrections).where(eq(corrections.proposedBy, proposer.id));
    expect(JSON.stringify(c?.validation).length).toBeLessThan(64 * 1024);
  });

  it('finds a blob past SQLite`s length limit invalid with a clear reason', { timeout: 60_000 }, async () => {
    const r = await propose(proposal('1', 'SELECT randomblob(1e9)'), tokens.other);
    expect(r.status).toBe(200);
    expect(await answered(r.data?.id)).toMatchObject({
      status: 'invalid',
      message: 'the new gold query does not run: a value in the result is too large (string or blob too big)',
    });
  });
});

describe('proposals are rate-limited per user', () => {
  it(`allows ${LIMIT} per hour, invalid ones included, then answers 429 with when to retry`, async () => {
    const u = await freshProposer('limited');
    // an invalid proposal is the first of this hour; two more follow
    const before = Date.now();
    expect((await propose(proposal('1', REFUSED), u.token)).status).toBe(200);
    const after = Date.now();
    for (const [id, sql] of [
      ['2', 'SELECT name, country, age FROM singer ORDER BY age DESC, name'],
      ['4', "SELECT avg(age), min(age), max(age) FROM singer WHERE country = 'France' -- fixed"],
    ] as const) {
      expect((await propose(proposal(id, sql), u.token)).status).toBe(200);
    }
    const refused = await propose(proposal('5', 'SELECT 1'), u.token);
    expect(refused.status).toBe(429);
    const m = /^rate limit: you made 3 of 3 correction proposals allowed per hour; try again after (\S+)$/.exec(
      refused.message ?? '',
    );
    expect(m, refused.message).not.toBeNull();
    // the invalid proposal is the oldest: its slot frees an hour after it was made
    const freeAt = Date.parse(m?.[1] ?? '');
    expect(freeAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(freeAt).toBeLessThanOrEqual(after + 3_600_000);
    expect(
      (await p.db.select().from(corrections).where(eq(corrections.proposedBy, u.id))).map((c) => c.exampleId).sort(),
    ).toEqual(['1', '2', '4']);
    // another user has their own allowance, and platform admins are not limited
    expect((await propose(proposal('5', 'SELECT 2'), (await freshProposer('unlimited')).token)).status).toBe(200);
    for (const id of ['5', '6', '7', '8']) {
      expect((await propose(proposal(id, `SELECT ${id} -- admin`), tokens.admin)).status).toBe(200);
    }
  });

  it('refuses an upstream import that would pass the limit whole, before proposing anything', async () => {
    const examples = JSON.parse(readFileSync(`${SPIDER}/dev.json`, 'utf8')) as { query: string }[];
    // three changed gold queries from a user who made 2 of 3 (one invalid, one not)
    const u = await freshProposer('importer');
    expect((await propose(proposal('1', REFUSED), u.token)).status).toBe(200);
    expect((await propose(proposal('2', 'SELECT 2'), u.token)).status).toBe(200);
    for (const e of examples.slice(10, 13)) e.query = `${e.query} -- corrected`;
    const files = {
      'dev.json': JSON.stringify(examples),
      'dev_gold.sql': readFileSync(`${SPIDER}/dev_gold.sql`, 'utf8'),
    };
    const before = await p.db.select().from(corrections);
    const r = await call('corrections.importUpstream', { benchmark: 'spider-dev', files, source: 'test' }, u.token);
    expect(r.status).toBe(429);
    expect(r.message).toMatch(
      /^rate limit: this import makes 3 correction proposals, and you made 2 of 3 allowed per hour; try again after \S+$/,
    );
    expect(await p.db.select().from(corrections)).toHaveLength(before.length);
  });
});

describe('every input of the corrections router is bounded (400 naming the field)', () => {
  const cases: [string, string, unknown, boolean, RegExp][] = [
    [
      'a rationale over 10,000 bytes, though under 10,000 characters',
      'corrections.propose',
      proposal('7', 'SELECT 7', { rationale: 'é'.repeat(5001) }),
      true,
      /^bad input: input: rationale: must be at most 10000 bytes \(UTF-8\)$/,
    ],
    [
      'a proposed gold query over 20,000 bytes',
      'corrections.propose',
      proposal('7', `SELECT '${'é'.repeat(10_000)}'`),
      true,
      /^bad input: input: fields\.query: must be at most 20000 bytes \(UTF-8\)$/,
    ],
    [
      'evidence over 20,000 bytes',
      'corrections.propose',
      proposal('7', 'SELECT 7', { evidence: 'x'.repeat(20_001) }),
      true,
      /^bad input: input: evidence: Too big/,
    ],
    [
      'more than 16 changed fields',
      'corrections.propose',
      proposal('7', 'SELECT 7', { fields: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, 'x'])) }),
      true,
      /^bad input: input: fields: change at most 16 fields$/,
    ],
    [
      'a bidi override in a proposed query',
      'corrections.propose',
      proposal('7', 'SELECT 1 /* \u202E */'),
      true,
      /^bad input: input: fields\.query: must not contain Unicode bidirectional control characters/,
    ],
    [
      'a 100 KB benchmark id',
      'corrections.propose',
      proposal('7', 'SELECT 7', { benchmark: 'x'.repeat(100_000) }),
      true,
      /^bad input: input: benchmark: must be at most 64 characters$/,
    ],
    [
      'a version past int4',
      'corrections.propose',
      proposal('7', 'SELECT 7', { version: 2 ** 31 }),
      true,
      /^bad input: input: version: Too big/,
    ],
    [
      'a review comment over 10,000 bytes',
      'corrections.review',
      { id: '00000000-0000-4000-8000-000000000000', decision: 'approve', comment: 'x'.repeat(10_001) },
      true,
      /^bad input: input: comment: Too big/,
    ],
    [
      'a release note over 10,000 bytes',
      'corrections.release',
      { benchmark: 'spider-dev', note: 'é'.repeat(5001) },
      true,
      /^bad input: input: note: must be at most 10000 bytes/,
    ],
    [
      'an unknown state',
      'corrections.list',
      { benchmark: 'spider-dev', states: ['bogus'] },
      false,
      /^bad input: input: states\.0: Invalid option/,
    ],
    [
      'more states than there are',
      'corrections.list',
      { benchmark: 'spider-dev', states: Array(7).fill('proposed') },
      false,
      /^bad input: input: states: Too big/,
    ],
    [
      'an example id over 200 characters',
      'corrections.example',
      { benchmark: 'spider-dev', exampleId: 'x'.repeat(201) },
      false,
      /^bad input: input: exampleId: Too big/,
    ],
    [
      'an example version past int4',
      'corrections.example',
      { benchmark: 'spider-dev', version: 2 ** 40, exampleId: '1' },
      false,
      /^bad input: input: version: Too big/,
    ],
    [
      'a version past int4',
      'corrections.version',
      { benchmark: 'spider-dev', version: 2 ** 31 },
      false,
      /^bad input: input: version: Too big/,
    ],
    [
      'a diff version past int4',
      'corrections.diff',
      { benchmark: 'spider-dev', version: 2 ** 31 },
      false,
      /^bad input: input: version: Too big/,
    ],
    [
      'impact versions past int4',
      'corrections.impact',
      { benchmark: 'spider-dev', from: 1, to: 2 ** 31 },
      false,
      /^bad input: input: to: Too big/,
    ],
    [
      'a triage version past int4',
      'corrections.triage',
      { benchmark: 'spider-dev', version: 2 ** 31 },
      false,
      /^bad input: input: version: Too big/,
    ],
    [
      'more than 16 import files',
      'corrections.importUpstream',
      {
        benchmark: 'spider-dev',
        files: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}.json`, '[]'])),
        source: 's',
      },
      true,
      /^bad input: input: files: at most 16 files$/,
    ],
    [
      'an import file path with ..',
      'corrections.importUpstream',
      { benchmark: 'spider-dev', files: { '../dev.json': '[]' }, source: 's' },
      true,
      /^bad input: input: files\.\.\.\/dev\.json: Invalid key in record$/,
    ],
    [
      'an import source over 500 bytes',
      'corrections.importUpstream',
      { benchmark: 'spider-dev', files: {}, source: 'é'.repeat(251) },
      true,
      /^bad input: input: source: must be at most 500 bytes \(UTF-8\)$/,
    ],
  ];
  it.each(cases)('%s', async (_what, path, input, mutation, expected) => {
    const r = await call(path, input, tokens.other, mutation);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(expected);
  });

  it('an import file over 16 MiB passes the body cap of its procedure but not the schema', async () => {
    const r = await call(
      'corrections.importUpstream',
      { benchmark: 'spider-dev', files: { 'dev.json': 'x'.repeat(16 * 1024 * 1024 + 1) }, source: 's' },
      tokens.other,
    );
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/^bad input: input: files\.dev\.json: Too big/);
  });
});
