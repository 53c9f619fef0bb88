import { evaluationRuns, submissions } from '@trueboard/db';
import { goodPredictions, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, submit } from '../src/index';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;

beforeAll(async () => {
  // one submission a day per user: a repeat must not need a second one
  p = await testPlatform({ userDaily: { submissions: 1, bytes: 2 ** 30, teams: 5 } });
  cast = await toyScenario(p);
});
afterAll(() => p.close());

const meta = () => ({ benchmark: 'toy-qa', method: cast.method.id });
const member = (role: 'maintainer' | 'reviewer') => {
  const u = cast.acme.members[role];
  if (!u) throw new Error(`toyScenario made no ${role}`);
  return u.actor;
};
const rowsWithKey = (key: string) => p.db.select().from(submissions).where(eq(submissions.clientRequestId, key));
const queuedJobs = async (runId: string) => {
  const [r] = await p.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where data->>'runId' = ${runId}`,
  );
  return r?.n;
};

describe('Idempotency-Key on submissions', () => {
  it('makes a repeated upload of the same artifact the first submission, even with the quota used up', async () => {
    const owner = cast.acme.owner.actor;
    const first = await submit(p, owner, meta(), goodPredictions(), { clientRequestId: 'upload-1' });
    expect(first.repeated).toBe(false);
    const again = await submit(p, owner, meta(), goodPredictions(), { clientRequestId: 'upload-1' });
    expect(again).toEqual({ ...first, repeated: true });
    expect(await rowsWithKey('upload-1')).toHaveLength(1);
    const runs = await p.db.select().from(evaluationRuns).where(eq(evaluationRuns.submissionId, first.id));
    expect(runs).toHaveLength(1);
    expect(await queuedJobs(first.runId)).toBe(1);
    // a new upload (another key) is over the user's daily quota of 1
    const other = await submit(p, owner, meta(), goodPredictions({ q1: 'x' }), { clientRequestId: 'upload-2' }).catch(
      (e: unknown) => e,
    );
    expect(other).toBeInstanceOf(DomainError);
    expect((other as DomainError).code).toBe('quota_exceeded');
    expect(await rowsWithKey('upload-2')).toHaveLength(0);
  });

  it('refuses the same key with another artifact, naming the key and the first submission', async () => {
    // each test submits as a user of its own: the daily quota is one submission per user
    const maintainer = member('maintainer');
    const first = await submit(p, maintainer, meta(), goodPredictions(), { clientRequestId: 'upload-3' });
    for (const body of [goodPredictions({ q2: 'Bonn' }), goodPredictions({ q2: 'a much longer answer than before' })]) {
      const err = await submit(p, maintainer, meta(), body, { clientRequestId: 'upload-3' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('conflict');
      expect((err as DomainError).message).toBe(
        `Idempotency-Key upload-3 was already used for another artifact (submission ${first.id}); use a new key for a new upload`,
      );
    }
    expect((await rowsWithKey('upload-3')).map((r) => r.id)).toEqual([first.id]);
  });

  it('makes one submission of concurrent uploads with one key', async () => {
    // quotas with room for more than one upload, so that only the key can make the six one
    const spare = await testPlatform();
    try {
      const c = await toyScenario(spare);
      const made = await Promise.all(
        Array.from({ length: 6 }, () =>
          submit(spare, c.acme.owner.actor, { benchmark: 'toy-qa', method: c.method.id }, goodPredictions(), {
            clientRequestId: 'same-key',
          }),
        ),
      );
      expect(new Set(made.map((m) => m.id)).size).toBe(1);
      expect(made.filter((m) => !m.repeated)).toHaveLength(1);
      const rows = await spare.db.select().from(submissions).where(eq(submissions.clientRequestId, 'same-key'));
      expect(rows).toHaveLength(1);
      // keys are per submitter: another user's same key is another upload
      const maintainer = c.acme.members.maintainer;
      if (!maintainer) throw new Error('no maintainer');
      const theirs = await submit(
        spare,
        maintainer.actor,
        { benchmark: 'toy-qa', method: c.method.id },
        goodPredictions(),
        { clientRequestId: 'same-key' },
      );
      expect(theirs.repeated).toBe(false);
      expect(theirs.id).not.toBe(rows[0]?.id);
    } finally {
      await spare.close();
    }
  });

  it('refuses a key that is not 1 to 200 visible ASCII characters, and the database does too', async () => {
    const reviewer = member('reviewer');
    for (const bad of ['', 'has space', 'x'.repeat(201), 'é']) {
      const err = await submit(p, reviewer, meta(), goodPredictions(), { clientRequestId: bad }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).message).toMatch(/^bad input: Idempotency-Key: \(root\): 1 to 200 visible ASCII/);
    }
    const s = await submit(p, reviewer, meta(), goodPredictions(), { clientRequestId: 'upload-4' });
    // a copy of the submission with another key, then with the same key: the shape check and the
    // one-submission-per-key constraint of the table
    const copy = (key: string) =>
      p.db
        .execute(sql`insert into submissions (benchmark_id, method_id, team_id, submitted_by, artifact_sha256,
          dataset_version_id, client_request_id)
          select benchmark_id, method_id, team_id, submitted_by, artifact_sha256, dataset_version_id, ${key}
          from submissions where id = ${s.id}`)
        .then(
          () => 'inserted',
          (e: { cause?: { code?: string; constraint_name?: string } }) => [e.cause?.code, e.cause?.constraint_name],
        );
    expect(await copy('has space')).toEqual(['23514', 'submissions_client_request_id_valid']);
    expect(await copy('upload-4')).toEqual(['23505', 'submissions_client_request_key']);
    expect((await rowsWithKey('upload-4')).map((r) => r.id)).toEqual([s.id]);
  });
});
