import { join } from 'node:path';
import { type EmbeddedServer, startEmbeddedPostgres } from './embedded';
import { stopOrphanedServerProcesses } from './orphans';

export interface SupervisorOptions {
  dataDir: string;
  /** one line per crash, failed restart and recovery */
  log(message: string): void;
  /** first delay before a restart; doubles per consecutive failure; default 250 ms */
  baseDelayMs?: number;
  /** the longest wait between restarts; default 30 s */
  maxDelayMs?: number;
  /** a server that stayed up this long starts the backoff afresh when it crashes; default 60 s */
  stableMs?: number;
}

export interface SupervisedServer {
  /** the same for every incarnation: a restart reuses the port, so clients' URLs stay valid */
  readonly url: string;
  readonly port: number;
  /** true when the first start created the cluster */
  readonly created: boolean;
  /** the server now running, or null while it is down */
  current(): EmbeddedServer | null;
  /** restarts so far */
  restarts(): number;
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Starts the embedded PostgreSQL and restarts it whenever it exits on its own (a crash, an OOM
 * kill, a kill -9), on the same port and cluster, with exponential backoff between attempts. A
 * killed postmaster's backends outlive it until they notice, holding its shared memory (PostgreSQL
 * refuses to start until they are gone) and their clients' connections (a client would send its
 * next query to a dead server): they are killed first (orphans.ts). PostgreSQL itself removes a
 * stale `postmaster.pid` whose process is dead and replays its WAL, so no file is deleted here.
 */
export async function superviseEmbeddedPostgres(opts: SupervisorOptions): Promise<SupervisedServer> {
  const base = opts.baseDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 30_000;
  const stable = opts.stableMs ?? 60_000;
  const first = await startEmbeddedPostgres({ dataDir: opts.dataDir });
  let current: EmbeddedServer | null = first;
  let restarts = 0;
  const stopping = new AbortController();
  const aborted = new Promise<null>((r) => stopping.signal.addEventListener('abort', () => r(null), { once: true }));

  const loop = async () => {
    let failures = 0;
    let server: EmbeddedServer = first;
    let upSince = Date.now();
    for (;;) {
      const exit = await Promise.race([server.crashed, aborted]);
      if (!exit) return;
      current = null;
      if (Date.now() - upSince >= stable) failures = 0;
      opts.log(`embedded PostgreSQL (pid ${server.pid}) exited (${exit.signal ?? `code ${exit.code}`}); restarting it`);
      for (;;) {
        const delay = Math.min(max, base * 2 ** failures);
        await sleep(delay, stopping.signal);
        if (stopping.signal.aborted) return;
        // the dead server's backends may still hold clients' connections: they go first
        const orphans = await stopOrphanedServerProcesses(join(opts.dataDir, 'pg'));
        if (orphans) opts.log(`stopped ${orphans} process${orphans > 1 ? 'es' : ''} left over from the dead server`);
        try {
          server = await startEmbeddedPostgres({ dataDir: opts.dataDir, port: first.port });
        } catch (err) {
          failures++;
          const next = Math.min(max, base * 2 ** failures);
          opts.log(
            `embedded PostgreSQL did not restart (${err instanceof Error ? err.message : String(err)}); next try in ${(next / 1000).toFixed(1)} s`,
          );
          continue;
        }
        if (stopping.signal.aborted) {
          await server.stop();
          return;
        }
        failures++;
        restarts++;
        upSince = Date.now();
        current = server;
        opts.log(`embedded PostgreSQL restarted (pid ${server.pid}, restart ${restarts})`);
        break;
      }
    }
  };
  const supervising = loop();

  return {
    url: first.url,
    port: first.port,
    created: first.created,
    current: () => current,
    restarts: () => restarts,
    async stop() {
      stopping.abort();
      await supervising;
      await current?.stop();
      current = null;
    },
  };
}
