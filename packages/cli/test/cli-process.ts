import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CLI_BIN } from './helpers';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <nodeArgs>` to its end with stdout and stderr apart (stdout is compared byte for byte). */
export function runNode(
  nodeArgs: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Finished> {
  return runProcess(process.execPath, nodeArgs, options);
}

/** Runs `command <args>` to its end, as runNode does. */
export function runProcess(
  command: string,
  args: readonly string[],
  { cwd, env = {} }: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Finished> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The CLI from source (as the other CLI tests run it). */
export function trueboard(args: readonly string[], cwd?: string, env: Record<string, string> = {}): Promise<Finished> {
  return runNode(['--import', TSX, CLI_BIN, ...args], { cwd, env });
}
