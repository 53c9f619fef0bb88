import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/client';
import { superviseEmbeddedPostgres } from '../src/supervisor';
import { until } from './until';

const postmasterPid = (dataDir: string) =>
  Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('the supervised embedded PostgreSQL', () => {
  it('is restarted after a kill -9, on the same port, and a pool reconnects with its data intact', {
    timeout: 180_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-supervised-'));
    const lines: string[] = [];
    const pg = await superviseEmbeddedPostgres({ dataDir, log: (m) => lines.push(m) });
    const { sql, close } = createDb(pg.url, { max: 3 });
    try {
      await sql`create table kept (n int)`;
      await sql`insert into kept values (42)`;
      const before = postmasterPid(dataDir);
      expect(pg.current()?.pid).toBe(before);

      process.kill(before, 'SIGKILL');
      // the dead postmaster's pid file stays behind; PostgreSQL sees its process is gone and starts
      const after = await until('a new postmaster', async () => pg.current()?.pid !== before && pg.current()?.pid);
      expect(postmasterPid(dataDir)).toBe(after);
      expect(pg.restarts()).toBe(1);
      const rows = await until('the pool to reconnect', () => sql<{ n: number }[]>`select n from kept`);
      expect(rows.map((r) => r.n)).toEqual([42]);
      expect(lines.join('\n')).toMatch(new RegExp(`embedded PostgreSQL \\(pid ${before}\\) exited \\(SIGKILL\\)`));
      expect(lines.join('\n')).toContain(`embedded PostgreSQL restarted (pid ${after}, restart 1)`);
    } finally {
      await close();
      await pg.stop();
    }
    // a supervised stop is a real stop, not a crash to recover from
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(pg.restarts()).toBe(1);
  });

  it('keeps retrying with backoff while a restart fails, and logs each failure', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-supervised-'));
    const lines: string[] = [];
    const pg = await superviseEmbeddedPostgres({
      dataDir,
      log: (m) => lines.push(m),
      // the first restart waits long enough for the squatter below to take the port first
      baseDelayMs: 500,
      maxDelayMs: 1000,
    });
    let squatter: Server | undefined;
    try {
      const before = postmasterPid(dataDir);
      process.kill(before, 'SIGKILL');
      await until('the port to be free', async () => {
        // someone else takes the server's port while it is down: PostgreSQL cannot bind to it
        const s = createServer();
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(pg.port, '127.0.0.1', () => resolve());
        });
        squatter = s;
        return true;
      });
      await until('two failed restarts', async () => lines.filter((l) => l.includes('did not restart')).length >= 2);
      expect(pg.current()).toBeNull();
      expect(lines.find((l) => l.includes('did not restart'))).toMatch(/next try in \d+\.\d s/);
      await new Promise((r) => squatter?.close(r));
      const after = await until('the restart', async () => pg.current()?.pid);
      expect(after).not.toBe(before);
    } finally {
      await new Promise((r) => (squatter?.listening ? squatter.close(r) : r(null)));
      await pg.stop();
    }
  });
});
