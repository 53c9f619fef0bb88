import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@trueboard/testkit';
import { expect } from 'vitest';
import { runNode } from './cli-process';
import { REPO } from './helpers';

/*
 * What eval-server.test.ts drives the resident evaluator with: `trueboard eval` as users start it
 * (the bundle), with a server directory of each test's own under one scratch directory.
 */

export const BIN = join(REPO, 'packages', 'cli', 'bin', 'trueboard.cjs');
export const SPIDER = join(REPO, 'benchmarks', 'spider-dev');
export const CODES = join(SPIDER, 'baselines', 'codes-1b.sql');
/** an endless query: only its timeout (or a kill) ends it */
export const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

export const scratch = mkdtempSync(join(tmpdir(), 'tb-eval-server-'));
export const servers: { env: Record<string, string> }[] = [];

/** An environment with a server directory of its own (mode 0700, as the CLI makes it). */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(scratch, 's-'));
  const env = { TRUEBOARD_EVAL_SERVER: 'on', TRUEBOARD_EVAL_SERVER_DIR: dir, ...extra };
  servers.push({ env });
  return env;
}

export const trueboard = (args: string[], env: Record<string, string>, cwd?: string) =>
  runNode([BIN, ...args], { env, ...(cwd ? { cwd } : {}) });

export const evalArgs = (predictions: string, out: string, dataset = SPIDER) => [
  'eval',
  'text2sql',
  '--dataset',
  dataset,
  '--predictions',
  predictions,
  '--out',
  out,
];

/** `trueboard eval-server status` parsed: the server's pid and calls served, or null when none runs. */
export async function status(
  env: Record<string, string>,
): Promise<{ pid: number; calls: number; warm: string } | null> {
  const r = await trueboard(['eval-server', 'status'], env);
  expect(r.code, r.stderr).toBe(0);
  const m = /^pid (\d+), .*?, (\d+) call\(s\)/m.exec(r.stdout);
  return m ? { pid: Number(m[1]), calls: Number(m[2]), warm: /^warm: (.*)$/m.exec(r.stdout)?.[1] ?? '' } : null;
}

export const running = (env: Record<string, string>) =>
  waitFor('the resident evaluator to answer', () => status(env), 20_000);

/** A server started by hand (`trueboard eval-server run`), as its own child. */
export async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'eval-server', 'run'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  await running(env);
  return child;
}

/** The report without what may differ between two evaluations of the same files: timing. */
export function withoutTiming(file: string): unknown {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  delete r.provenance.startedAt;
  delete r.provenance.wallTimeMs;
  for (const e of r.examples) for (const f of ['pred_ms', 'gold_ms', 'ves_reward']) delete e.data[f];
  r.metrics = r.metrics.filter((m: { name: string }) => m.name !== 'rves');
  return r;
}

/** A Spider predictions file: CodeS-1B's, with line `at` (0-based) replaced by `sql`. */
export function predictionsWith(at: number, sql: string): string {
  const lines = readFileSync(CODES, 'utf8').split('\n');
  lines[at] = sql;
  const file = join(mkdtempSync(join(scratch, 'p-')), 'preds.sql');
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** A call, a process of its own, on predictions whose first query never ends (it may run 600 s). */
export function runawayCall(env: Record<string, string>, dir: string) {
  const predictions = predictionsWith(0, RUNAWAY);
  const caller = spawn(process.execPath, [BIN, ...evalArgs(predictions, join(dir, 'r.json')), '--timeout', '600'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  caller.stderr.on('data', (d) => {
    stderr += d;
  });
  const ended = new Promise<number | null>((resolve) => caller.on('close', (code) => resolve(code)));
  return { caller, ended, stderr: () => stderr };
}
