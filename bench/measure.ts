import { spawnSync } from 'node:child_process';

/**
 * Whole-process measurements. Each command runs under a small Python wrapper that times it and
 * reads its rusage once it has been reaped: Node cannot give a child's peak RSS, and Python is
 * there anyway (the official evaluators are Python). Both sides of a comparison go through the
 * same wrapper, so its own start-up is in neither number.
 */
const WRAPPER = `
import json, resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# ru_maxrss is KiB on Linux, bytes on macOS
rss_mib = rss / 1024 / (1024 if sys.platform == 'darwin' else 1)
sys.stdout.write(json.dumps({"wallMs": wall * 1000, "maxRssMiB": rss_mib, "code": r.returncode,
                             "stdout": r.stdout.decode(errors="replace"), "stderr": r.stderr.decode(errors="replace")}))
`;

export interface Measured {
  wallMs: number;
  /** peak resident set of the largest single process of the tree (getrusage RUSAGE_CHILDREN) */
  maxRssMiB: number;
  code: number;
  stdout: string;
  stderr: string;
}

export function measure(cmd: string, args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Measured {
  const r = spawnSync('python3', ['-c', WRAPPER, cmd, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 ** 2,
  });
  if (r.status !== 0) throw new Error(`measuring ${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as Measured;
}

/** Runs `cmd` and fails loudly when it does: a bench must not time an error message. */
export function measureOk(cmd: string, args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Measured {
  const m = measure(cmd, args, cwd, env);
  if (m.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${m.code}:\n${m.stderr.slice(-2000)}`);
  return m;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
