import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@trueboard/db/embedded';
import { describe, expect, it } from 'vitest';
import { waitFor } from './helpers';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** `npm start` exactly as a newcomer runs it (args after `--` go to `trueboard start`). */
function npmStart(port: number, dataDir: string) {
  const child = spawn('npm', ['start', '--', '--port', String(port), '--data-dir', dataDir], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can signal the whole tree like a terminal would
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      exitCode = code;
      r(code);
    }),
  );
  return { child, exited, output: () => out, hasExited: () => exitCode !== undefined };
}

async function health(port: number) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    return res.ok ? ((await res.json()) as { status: string; db: boolean; queue: boolean; runners: number }) : null;
  } catch {
    return null;
  }
}

describe('npm start', () => {
  it('serves a healthy platform on an embedded PostgreSQL, stops cleanly and keeps its data', {
    timeout: 300_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-start-'));
    const port = await freePort();
    const first = npmStart(port, dataDir);
    const h = await waitFor(
      () => `healthy /api/health:\n${first.output()}`,
      () => (first.hasExited() ? Promise.reject(new Error(first.output())) : health(port)),
      240_000,
    );
    expect(h).toMatchObject({ status: 'ok', db: true, queue: true });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('Trueboard');
    const credsFile = join(dataDir, 'admin-credentials.json');
    expect(statSync(credsFile).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as { email: string; password: string; apiToken: string };
    expect(first.output()).toContain(creds.apiToken); // printed once, on first start
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
});
