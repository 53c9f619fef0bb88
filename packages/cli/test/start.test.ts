import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, importBenchmarkDir, loadConfig } from '@trueboard/core';
import { freePort } from '@trueboard/db/embedded';
import { freshDatabase, makeUser, TOY_QA_DIR } from '@trueboard/testkit';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { health, npmStart, TOY_EVALUATOR, waitFor } from './helpers';

describe('npm start', () => {
  it('serves a healthy platform on an embedded PostgreSQL, stops cleanly and keeps its data', {
    timeout: 300_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-start-'));
    const port = await freePort();
    // the toy evaluator stands in for a family, so `start` launches its local runner
    const first = npmStart(port, dataDir, ['--evaluators', TOY_EVALUATOR]);
    const h = await waitFor(
      () => `healthy /api/health:\n${first.output()}`,
      () => (first.hasExited() ? Promise.reject(new Error(first.output())) : health(port)),
      240_000,
    );
    expect(h).toMatchObject({ status: 'ok', db: true, queue: true });
    // the local runner connects over HTTP shortly after the server is up
    await waitFor('the local runner', async () => (await health(port))?.runners === 1, 60_000);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('Trueboard');
    const credsFile = join(dataDir, 'admin-credentials.json');
    expect(statSync(credsFile).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as { email: string; password: string; apiToken: string };
    // the secrets stay in the 0600 file: stdout (captured by process managers and CI) names only the file
    expect(first.output()).not.toContain(creds.apiToken);
    expect(first.output()).not.toContain(creds.password);
    expect(first.output()).toContain(`its password and API token are in ${credsFile} (mode 0600)`);
    // the data directory and the server log are private (as root: traversable, not listable)
    const dirMode = statSync(dataDir).mode & 0o777;
    expect(dirMode).toBe(process.getuid?.() === 0 ? 0o711 : 0o700);
    expect(statSync(join(dataDir, 'postgres.log')).mode & 0o777).toBe(0o600);
    // Ctrl-C in a terminal signals the whole group: npm dies of it, trueboard shuts down cleanly
    process.kill(-(first.child.pid ?? 0), 'SIGINT');
    await first.exited;
    await waitFor('PostgreSQL to stop', async () => !existsSync(join(dataDir, 'pg', 'postmaster.pid')), 30_000);
    expect(first.output()).toContain('SIGINT: shutting down');

    const second = npmStart(port, dataDir);
    await waitFor(
      () => `second start:\n${second.output()}`,
      () => (second.hasExited() ? Promise.reject(new Error(second.output())) : health(port)),
      240_000,
    );
    expect(second.output()).not.toContain(creds.apiToken);
    expect(second.output()).toContain('embedded PostgreSQL started');
    // the account made on the first start still works
    const me = await fetch(`http://127.0.0.1:${port}/api/trpc/auth.me`, {
      headers: { authorization: `Bearer ${creds.apiToken}` },
    });
    expect(((await me.json()) as { result: { data: { email: string } } }).result.data.email).toBe(creds.email);
    process.kill(-(second.child.pid ?? 0), 'SIGTERM');
    await second.exited;
    await waitFor('PostgreSQL to stop', async () => !existsSync(join(dataDir, 'pg', 'postmaster.pid')), 30_000);
  });

  it('uses DATABASE_URL when it is set and starts no PostgreSQL of its own', { timeout: 300_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-start-url-'));
    const port = await freePort();
    const url = await freshDatabase();
    // someone registered a bundled benchmark's id first (possible before ids were reserved):
    // start reports the conflict, skips that benchmark and serves everything else
    const squat = await createPlatform({ ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), databaseUrl: url });
    const squatter = await makeUser(squat, { admin: true });
    const copy = mkdtempSync(join(tmpdir(), 'tb-squat-'));
    cpSync(TOY_QA_DIR, copy, { recursive: true });
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...m, id: 'spider-dev', name: 'official' }));
    await importBenchmarkDir(squat, squatter.actor, copy);
    await squat.close();
    const run = npmStart(port, dataDir, ['--no-web', '--runners', '0'], { DATABASE_URL: url });
    const h = await waitFor(
      () => `health:\n${run.output()}`,
      () => (run.hasExited() ? Promise.reject(new Error(run.output())) : health(port)),
      240_000,
    );
    expect(h).toMatchObject({ status: 'ok', db: true, queue: true, runners: 0 });
    expect(run.output()).toContain('using DATABASE_URL');
    await waitFor('the conflict report', async () => run.output().includes('benchmarks/spider-dev: skipped'), 60_000);
    expect(run.output()).toContain(
      'trueboard: benchmarks/spider-dev: skipped: benchmark "spider-dev" already exists with different data',
    );
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const [admins] = await sql`select count(*)::int as n from users where is_admin`;
    await sql.end();
    expect(admins?.n).toBe(1);
    process.kill(-(run.child.pid ?? 0), 'SIGTERM');
    await run.exited;
  });
});
