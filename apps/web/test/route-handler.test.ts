import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freshDatabase } from '@trueboard/testkit';
import { describe, expect, it } from 'vitest';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const NEXT_BIN = join(createRequire(import.meta.url).resolve('next/package.json'), '..', 'dist', 'bin', 'next');

describe('the Next.js app', () => {
  it('serves the platform API through its route handlers under plain `next start`', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: WEB,
      env: {
        ...process.env,
        DATABASE_URL: await freshDatabase(),
        TRUEBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-web-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    try {
      let health: Response | null = null;
      for (let i = 0; i < 300 && !health; i++) {
        health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health?.status, out).toBe(200);
      expect(await health?.json()).toMatchObject({ status: 'ok', db: true, queue: true });
      const me = await fetch(`http://127.0.0.1:${port}/api/trpc/auth.me`);
      expect(((await me.json()) as { result: { data: unknown } }).result.data).toBeNull();
      const denied = await fetch(`http://127.0.0.1:${port}/api/trpc/runnerTokens.list`);
      expect(denied.status).toBe(401);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(await home.text()).toContain('Trueboard');
      // a hand-made URL that fails input validation is a page that does not exist, not a 500
      const malformed = await fetch(`http://127.0.0.1:${port}/b/Not_A_Slug`);
      expect(malformed.status).toBe(404);
      expect(await malformed.text()).toContain('There is nothing at this address');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
