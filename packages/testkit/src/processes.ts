/** Test helpers that run the real `trueboard` CLI and `npm start` as child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the real `trueboard` CLI in a child process. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', TSX, CLI_BIN, ...args], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return Object.assign(child, { output: () => out });
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(args, env);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output: child.output() };
}

export async function waitFor<T>(
  what: string | (() => string),
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Whether process `pid` exists (EPERM: it does, under another user). */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills a parent mid-work and checks its child does not outlive it: runs `script` (TypeScript, through
 * tsx) with `args`, reads the pid of the child it started from its first line of output, lets it work
 * `settleMs`, kills the parent with SIGKILL and waits until the child is gone too (failing, naming
 * `child`, when it is still there after 10 s).
 */
export async function killParentMidWork(script: string, args: string[], child: string, settleMs = 500): Promise<void> {
  const parent = spawn(process.execPath, ['--import', TSX, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))));
  if (!processAlive(pid)) throw new Error(`${script} printed "${pid}", not the pid of a running ${child}`);
  await new Promise((r) => setTimeout(r, settleMs));
  parent.kill('SIGKILL');
  await waitFor(`the ${child} to end after its parent was killed`, async () => !processAlive(pid), 10_000);
}

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** `npm start` exactly as a newcomer runs it (args after `--` go to `trueboard start`). */
export function npmStart(port: number, dataDir: string, extra: string[] = [], env: Record<string, string> = {}) {
  const child = spawn('npm', ['start', '--', '--port', String(port), '--data-dir', dataDir, ...extra], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: '', ...env },
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

export async function health(port: number) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    return res.ok ? ((await res.json()) as { status: string; db: boolean; queue: boolean; runners: number }) : null;
  } catch {
    return null;
  }
}

/** A tRPC call over HTTP: queries by GET, mutations by POST; with a bearer token when given. */
export async function trpcHttp<T>(
  base: string,
  path: string,
  input: unknown,
  opts: { token?: string; mutation?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const res = opts.mutation
    ? await fetch(`${base}/api/trpc/${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      })
    : await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
  return body.result.data;
}
