import { freshDatabase } from '@trueboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../src/embedded';
import { migrate } from '../src/migrate';

/** An empty database (not the migrated template), so that the migrations really run from scratch. */
async function emptyDatabase(): Promise<{ url: string; sql: postgres.Sql }> {
  const cloned = await freshDatabase();
  const admin = postgres(cloned, { max: 1, onnotice: () => {} });
  const name = `empty_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE template0`);
  await admin.end();
  const url = withDatabase(cloned, name);
  return { url, sql: postgres(url, { max: 2, onnotice: () => {} }) };
}

describe('migrations', () => {
  let sql: postgres.Sql;
  let url: string;
  beforeAll(async () => {
    ({ url, sql } = await emptyDatabase());
  });
  afterAll(() => sql.end());

  it('apply on an empty database and again without changes', async () => {
    await migrate(url);
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'teams',
        'memberships',
        'api_tokens',
        'runner_tokens',
        'benchmarks',
        'dataset_versions',
        'artifacts',
        'methods',
        'submissions',
        'evaluation_runs',
        'results',
        'result_metrics',
        'example_results',
        'runners',
        'audit_events',
      ]),
    );
    const [before] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await migrate(url);
    const [after] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(after?.n).toBe(before?.n);
  });
});

describe('database invariants', () => {
  // a database of their own, migrated from scratch, whatever else runs
  let sql: postgres.Sql;
  beforeAll(async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    sql = db.sql;
  });
  afterAll(() => sql.end());

  it('rejects UPDATE, DELETE and TRUNCATE on audit_events', async () => {
    await sql`insert into audit_events (action, entity_type, entity_id) values ('user.created', 'user', 'u1')`;
    await expect(sql`update audit_events set entity_id = 'u2'`).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`delete from audit_events`).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate audit_events`).rejects.toThrow(/append-only: TRUNCATE/);
    const [row] = await sql`select entity_id from audit_events`;
    expect(row?.entity_id).toBe('u1');
  });

  it('rejects an action outside the closed set', async () => {
    await expect(
      sql`insert into audit_events (action, entity_type, entity_id) values ('user.deleted_everything', 'user', 'x')`,
    ).rejects.toThrow(/audit_events_action_valid/);
  });

  it('keeps one artifact per sha256 and validates its shape', async () => {
    const sha = 'a'.repeat(64);
    await sql`insert into artifacts (sha256, size, media_type, storage_key) values (${sha}, 1, 'x', 'k')`;
    await expect(
      sql`insert into artifacts (sha256, size, media_type, storage_key) values (${sha}, 1, 'x', 'k')`,
    ).rejects.toThrow(/artifacts_pkey/);
    await expect(
      sql`insert into artifacts (sha256, size, media_type, storage_key) values ('nothex', 1, 'x', 'k')`,
    ).rejects.toThrow(/artifacts_sha256_shape/);
  });

  it('refuses unknown roles and submission states', async () => {
    const [u] = await sql`insert into users (email, name, password_hash) values ('a@b.c', 'A', 'h') returning id`;
    const [t] = await sql`insert into teams (slug, name) values ('team-a', 'A') returning id`;
    await expect(
      sql`insert into memberships (team_id, user_id, role) values (${t?.id}, ${u?.id}, 'owner')`,
    ).rejects.toThrow(/memberships_role_valid/);
    await expect(sql`insert into teams (slug, name) values ('Bad Slug', 'B')`).rejects.toThrow(/teams_slug_shape/);
  });

  it('allows one run per submission × dataset version × attempt and one live attempt', async () => {
    const [u] = await sql`insert into users (email, name, password_hash) values ('r@b.c', 'R', 'h') returning id`;
    const [t] = await sql`insert into teams (slug, name) values ('team-r', 'R') returning id`;
    await sql`insert into benchmarks (id, name, family, owner_team_id, metrics, primary_metric, manifest)
      values ('bench-r', 'B', 'text2sql', ${t?.id}, '[]', 'ex', '{}')`;
    const [v] = await sql`insert into dataset_versions (benchmark_id, number, content_hash, files)
      values ('bench-r', 1, ${'b'.repeat(64)}, '[]') returning id`;
    await expect(
      sql`insert into dataset_versions (benchmark_id, number, content_hash, files) values ('bench-r', 2, ${'c'.repeat(64)}, '[]')`,
    ).rejects.toThrow(/dataset_versions_parent/);
    const sha = 'd'.repeat(64);
    await sql`insert into artifacts (sha256, size, media_type, storage_key) values (${sha}, 1, 'x', 'k')`;
    const [m] =
      await sql`insert into methods (team_id, name, created_by) values (${t?.id}, 'm', ${u?.id}) returning id`;
    const [s] =
      await sql`insert into submissions (benchmark_id, method_id, team_id, submitted_by, artifact_sha256, dataset_version_id)
      values ('bench-r', ${m?.id}, ${t?.id}, ${u?.id}, ${sha}, ${v?.id}) returning id`;
    await expect(sql`update submissions set state = 'failed' where id = ${s?.id}`).rejects.toThrow(
      /submissions_failure_valid/,
    );
    await sql`insert into evaluation_runs (submission_id, dataset_version_id, attempt) values (${s?.id}, ${v?.id}, 1)`;
    await expect(
      sql`insert into evaluation_runs (submission_id, dataset_version_id, attempt, state) values (${s?.id}, ${v?.id}, 1, 'expired')`,
    ).rejects.toThrow(/evaluation_runs_attempt_key/);
    await expect(
      sql`insert into evaluation_runs (submission_id, dataset_version_id, attempt) values (${s?.id}, ${v?.id}, 2)`,
    ).rejects.toThrow(/evaluation_runs_one_live/);
  });
  it('refuses a review of a correction by its proposer, inserted or updated', async () => {
    const [proposer] =
      await sql`insert into users (email, name, password_hash) values ('p@b.c', 'P', 'h') returning id`;
    const [other] = await sql`insert into users (email, name, password_hash) values ('o@b.c', 'O', 'h') returning id`;
    const [t] = await sql`insert into teams (slug, name) values ('team-c', 'C') returning id`;
    await sql`insert into benchmarks (id, name, family, owner_team_id, metrics, primary_metric, manifest)
      values ('bench-c', 'B', 'text2sql', ${t?.id}, '[]', 'ex', '{}')`;
    const [v] = await sql`insert into dataset_versions (benchmark_id, number, content_hash, files)
      values ('bench-c', 1, ${'e'.repeat(64)}, '[]') returning id`;
    const [c] = await sql`insert into corrections (benchmark_id, dataset_version_id, example_id, fields, before,
      category, rationale, proposed_by)
      values ('bench-c', ${v?.id}, '1', '{"query": "SELECT 1"}', '{"query": "SELECT 2"}', 'wrong_gold', 'r',
        ${proposer?.id}) returning id`;
    const refusal = (q: Promise<unknown>) =>
      q.then(
        () => 'accepted',
        (e: { code?: string; message?: string }) => [e.code, e.message],
      );
    const selfReview = [
      '23514', // check_violation
      'the proposer of a correction cannot review it',
    ];
    expect(
      await refusal(
        sql`insert into correction_reviews (correction_id, reviewer_id, decision) values (${c?.id}, ${proposer?.id}, 'approve')`,
      ),
    ).toEqual(selfReview);
    await sql`insert into correction_reviews (correction_id, reviewer_id, decision) values (${c?.id}, ${other?.id}, 'approve')`;
    expect(await refusal(sql`update correction_reviews set reviewer_id = ${proposer?.id ?? ''}`)).toEqual(selfReview);
    const reviews = await sql`select reviewer_id from correction_reviews`;
    expect(reviews.map((r) => r.reviewer_id)).toEqual([other?.id]);
  });
});
