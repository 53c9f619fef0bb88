import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  createMethod,
  createPlatform,
  createTeam,
  DATABASE_UNAVAILABLE,
  importBenchmarkDir,
  loadConfig,
} from '@trueboard/core';
import { freePort, startEmbeddedPostgres, withDatabase } from '@trueboard/db/embedded';
import { migrate } from '@trueboard/db/migrate';
import { serveTestPlatform, TOY_QA_DIR, toyScenario } from '@trueboard/testkit';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { health, spawnCli, TOY_EVALUATOR, waitFor } from './helpers';

/*
 * Issue 10 §4, measured: 12 submissions at once under load, the embedded postmaster killed with
 * kill -9. Before the fix health stayed `degraded` until a human restarted `trueboard start`, the
 * uploads in flight got "internal error (request id unknown)", and the CLI gave up at once.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const pidFile = (dataDir: string) => readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
/** The running embedded server's `trueboard` database: its password file, and the port in postmaster.pid (line 4). */
const databaseUrl = (dataDir: string) =>
  `postgres://postgres:${encodeURIComponent(readFileSync(join(dataDir, 'pg-password'), 'utf8').trim())}@127.0.0.1:${pidFile(dataDir)[3]}/trueboard`;

/** The toy benchmark with room for many submissions a day. */
function roomyToyBenchmark() {
  const dir = tmp('tb-toy-');
  cpSync(TOY_QA_DIR, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, limits: { ...m.limits, dailyQuota: 100 } }));
  return dir;
}

interface Answer {
  key: string;
  body: string;
  status: number;
  error?: { message: string };
  id?: string;
  retryAfter: string | null;
}

describe('kill -9 of the embedded PostgreSQL under load', () => {
  it('heals by itself: health is ok within 30 s, accepted uploads are scored once, refused ones are safe to repeat', {
    timeout: 600_000,
  }, async () => {
    const dataDir = tmp('tb-kill-');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // a short lease, so that a job whose claim answer was lost in the crash is handed out again soon
    const start = spawnCli(
      [
        'start',
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        '--no-web',
        '--no-import',
        '--runners',
        '1',
        '--evaluators',
        TOY_EVALUATOR,
      ],
      { TRUEBOARD_LEASE_SECONDS: '15' },
    );
    const exited = new Promise<number | null>((r) => start.once('exit', r));
    cleanups.push(async () => {
      if (start.exitCode === null) start.kill('SIGTERM');
      await exited;
    });
    await waitFor(
      () => `a healthy platform:\n${start.output()}`,
      async () =>
        start.exitCode !== null ? Promise.reject(new Error(start.output())) : (await health(port))?.status === 'ok',
      180_000,
    );
    await waitFor('the local runner', async () => (await health(port))?.runners === 1, 60_000);

    // a team, a method and the benchmark, through core on the same database
    const setup = await createPlatform(
      { ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), databaseUrl: databaseUrl(dataDir) },
      { poolSize: 2 },
    );
    const creds = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as { apiToken: string };
    const [admin] = await setup.sql<{ id: string }[]>`select id from users where is_admin`;
    const actor: Actor = { kind: 'user', userId: admin?.id ?? '', isAdmin: true, via: 'token' };
    await importBenchmarkDir(setup, actor, roomyToyBenchmark());
    await createTeam(setup, actor, { slug: 'acme', name: 'Acme' });
    const method = await createMethod(setup, actor, { team: 'acme', name: 'Guesser' });
    await setup.close();

    const upload = async (key: string, body: string): Promise<Answer> => {
      const res = await fetch(`${base}/api/submissions?benchmark=toy-qa&method=${method.id}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${creds.apiToken}`,
          'content-type': 'application/octet-stream',
          'idempotency-key': key,
        },
        body,
      });
      const json = (await res.json()) as { id?: string; error?: { message: string } };
      return { key, body, status: res.status, retryAfter: res.headers.get('retry-after'), ...json };
    };
    // each job takes a little while, so the runner is busy when the server dies
    const artifact = (i: number) =>
      JSON.stringify({ predictions: { q1: 'Paris', q2: `guess ${i}`, q3: 'Madrid' }, delayMs: 60 });

    const N = 16;
    const killed = Number(pidFile(dataDir)[0]);
    let answered = 0;
    let dead = false;
    const kill = () => {
      if (!dead) process.kill(killed, 'SIGKILL');
      dead = true;
    };
    const inFlight: Promise<Answer>[] = [];
    for (let i = 0; i < N; i++) {
      inFlight.push(
        upload(`load-${i}`, artifact(i)).then((a) => {
          answered++;
          return a;
        }),
      );
      await new Promise((r) => setTimeout(r, 25));
      // the first answers are in, the rest of the uploads are still to come or on their way
      if (answered >= 3) kill();
    }
    kill();
    // the liveness bound
    await waitFor(
      () => `health ok within 30 s of the kill:\n${start.output()}`,
      async () => (await health(port))?.status === 'ok',
      30_000,
    );
    expect(Number(pidFile(dataDir)[0])).not.toBe(killed);
    expect(start.output()).toContain(`embedded PostgreSQL (pid ${killed}) exited (SIGKILL); restarting it`);
    expect(start.output()).toMatch(/embedded PostgreSQL restarted \(pid \d+, restart 1\)/);

    const answers = await Promise.all(inFlight);
    const refused = answers.filter((a) => a.status !== 201);
    // the kill happened with uploads still to come: some of them met the outage
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      // said plainly, with when to come back: never "internal error"
      expect({ status: a.status, message: a.error?.message, retryAfter: a.retryAfter }).toEqual({
        status: 503,
        message: DATABASE_UNAVAILABLE,
        retryAfter: '2',
      });
    }

    const sql = postgres(databaseUrl(dataDir), { max: 2, onnotice: () => {} });
    cleanups.push(() => sql.end());
    const byKey = async (key: string) =>
      sql<{ id: string }[]>`select id from submissions where client_request_id = ${key}`;
    // an upload that got an error is absent, or there once (its commit's answer was lost);
    // repeated with its key it is there exactly once
    for (const a of refused) {
      const before = await byKey(a.key);
      expect(before.length).toBeLessThanOrEqual(1);
      const again = await upload(a.key, a.body);
      expect(again.status, `repeat of ${a.key}: ${again.error?.message}\n${start.output()}`).toBe(
        before.length === 1 ? 200 : 201,
      );
      if (before[0]) expect(again.id).toBe(before[0].id);
      expect(await byKey(a.key)).toHaveLength(1);
    }
    for (const a of answers.filter((x) => x.status === 201)) expect((await byKey(a.key))[0]?.id).toBe(a.id);

    // every submission is scored, exactly once: one finished run, one result, the right numbers
    await waitFor(
      () => `${N} finished submissions:\n${start.output()}`,
      async () => {
        const rows = await sql<{ state: string; n: number }[]>`
          select state, count(*)::int as n from submissions where client_request_id like 'load-%' group by state`;
        const failed = rows.find((r) => r.state === 'failed' || r.state === 'cancelled');
        if (failed) throw new Error(`a submission ${failed.state}: ${JSON.stringify(rows)}`);
        return rows.find((r) => r.state === 'finished')?.n === N;
      },
      240_000,
    );
    const scored = await sql<{ key: string; finished_runs: number; results: number; accuracy: number[] }[]>`
      select s.client_request_id as key,
        (select count(*)::int from evaluation_runs r where r.submission_id = s.id and r.state = 'finished') as finished_runs,
        (select count(*)::int from results r where r.submission_id = s.id) as results,
        (select array_agg(m.value) from results r join result_metrics m on m.result_id = r.id
          where r.submission_id = s.id and m.name = 'accuracy') as accuracy
      from submissions s where s.client_request_id like 'load-%' order by 1`;
    expect(scored).toHaveLength(N);
    for (const s of scored) expect(s).toEqual({ key: s.key, finished_runs: 1, results: 1, accuracy: [40] });

    // the runner survived the outage (its long-polls got 503s and carried on) and is the only one counted
    await waitFor('one connected runner', async () => (await health(port))?.runners === 1, 60_000);

    // a supervised server stops for good with the platform (and is not restarted as a crash)
    start.kill('SIGTERM');
    await exited;
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(start.output()).not.toMatch(/restart 2\)/);
  });
});

describe('trueboard submit while the database is down', () => {
  it('says the database is unavailable, retries its queries and its upload, and makes one submission', {
    timeout: 300_000,
  }, async () => {
    const dataDir = tmp('tb-cli-outage-');
    let pg = await startEmbeddedPostgres({ dataDir });
    cleanups.push(() => pg.stop());
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE trueboard');
    await admin.end();
    const url = withDatabase(pg.url, 'trueboard');
    await migrate(url);
    const p = await createPlatform(
      { ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), databaseUrl: url },
      { poolSize: 3 },
    );
    cleanups.push(() => p.close());
    const cast = await toyScenario(p);
    const srv = await serveTestPlatform(p);
    cleanups.push(() => srv.close());
    const file = join(tmp('tb-preds-'), 'preds.json');
    writeFileSync(file, JSON.stringify({ predictions: { q1: 'Paris' } }));
    const auth = ['--server', srv.baseUrl, '--token', cast.ownerToken.secret];

    // while the server is down, then back on the same port
    const outage = async (args: string[]) => {
      await pg.stop();
      const cli = spawnCli(['submit', '--benchmark', 'toy-qa', '--file', file, ...args, ...auth]);
      const exit = new Promise<number | null>((r) => cli.once('exit', r));
      await waitFor(
        () => `the CLI to meet the outage:\n${cli.output()}`,
        async () => cli.output().includes(`trueboard: ${DATABASE_UNAVAILABLE}; retrying in 2 s`),
        60_000,
      );
      pg = await startEmbeddedPostgres({ dataDir, port: pg.port });
      expect(await exit, cli.output()).toBe(0);
      return cli.output();
    };
    // a query (the method by name) first
    const viaName = await outage(['--team', 'acme', '--method-name', 'Lookup table']);
    // the upload itself
    const viaId = await outage(['--method', cast.method.id]);

    const made = await p.sql<{ id: string; key: string }[]>`
      select id, client_request_id as key from submissions where method_id = ${cast.method.id}`;
    expect(made).toHaveLength(2);
    expect(new Set(made.map((m) => m.key)).size).toBe(2);
    for (const out of [viaName, viaId]) {
      const id = out.match(/^([0-9a-f-]{36})$/m)?.[1];
      expect(made.map((m) => m.id)).toContain(id);
    }
  });
});
