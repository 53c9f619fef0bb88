import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { orphanedServerProcesses } from '../src/orphans';
import { superviseEmbeddedPostgres } from '../src/supervisor';
import { until } from './until';

/** Running and not a zombie (a killed orphan waiting for init to reap it has stopped). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  const s = readFileSync(stat, 'utf8');
  return s[s.lastIndexOf(')') + 2] !== 'Z';
}

describe.runIf(process.platform === 'linux')('a killed postmaster’s leftover backends', () => {
  it('are stopped before the new server starts, so no client talks to the dead server', {
    timeout: 180_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-orphans-'));
    const lines: string[] = [];
    const pg = await superviseEmbeddedPostgres({ dataDir, log: (m) => lines.push(m) });
    // one connection whose backend cannot notice its postmaster's death: stopped, as a backend
    // starved of CPU under load is (the outage test met one after the restart: 57P01)
    const old = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const [{ pid: backend } = { pid: 0 }] = await old<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const postmaster = pg.current()?.pid ?? 0;
      expect(orphanedServerProcesses(join(dataDir, 'pg'), [postmaster])).toContain(backend);
      process.kill(backend, 'SIGSTOP');
      process.kill(postmaster, 'SIGKILL');
      const after = await until('a new postmaster', async () => pg.current()?.pid !== postmaster && pg.current()?.pid);

      expect(running(backend)).toBe(false);
      expect(lines.join('\n')).toMatch(/stopped \d+ process(es)? left over from the dead server/);
      // nothing of the old server is left; the new one's processes are all that run in the cluster
      const left = orphanedServerProcesses(join(dataDir, 'pg'), [after]);
      expect(left.filter((p) => !running(p) || p === backend)).toEqual([]);
      // the client saw its connection close and reconnects to the new server on its next query
      // (with the backend left alive, that query would go to the dead server's stopped backend)
      const [again] = await old<
        { pid: number; up: Date }[]
      >`select pg_backend_pid() as pid, pg_postmaster_start_time() as up`;
      expect(again?.pid).not.toBe(backend);
      expect(again?.pid && orphanedServerProcesses(join(dataDir, 'pg'))).toContain(again?.pid);
    } finally {
      await old.end({ timeout: 1 });
      await pg.stop();
    }
  });
});
