import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the resident evaluator of this build and environment listens, or why there is none.
 *
 * One server serves one build of the CLI (dist/inputs.json, rewritten by every build), one Node
 * binary, one umask, and one set of the environment variables that can change an evaluation or
 * where it reads and writes (RELEVANT_ENV): a call with another set gets a server of its own. The socket lives in
 * a directory only this user may enter (mode 0700, checked, never followed through a link), so
 * nobody else can send it work or read its output.
 */
export type ServerPlace =
  | { off: string }
  | {
      off?: undefined;
      dir: string;
      socket: string;
      log: string;
      key: string;
      idleMs: number;
      /** the build it serves: dist/inputs.json and its identity (buildId) when the place was found */
      build: { file: string; id: string };
    };

/** A build's identity: what `npm run build` changes when it writes dist/inputs.json. */
export const buildId = (s: Stats) => `${s.mtimeMs}:${s.size}:${s.ino}`;

/**
 * Variables whose value an evaluation may read (settings, caches, devices, Node's own flags). Not
 * PATH: npm, npx, pyenv and shells each prepend their own directories, and nothing an evaluation
 * computes depends on it. Not NODE_EXTRA_CA_CERTS either: certificates for TLS, which an
 * evaluation never opens.
 */
const RELEVANT_ENV =
  /^(TRUEBOARD_|NODE_(?!EXTRA_CA_CERTS$)|CUDA_|ORT_|OMP_|LD_LIBRARY_PATH$|HOME$|TMPDIR$|XDG_CACHE_HOME$)/;
/** TRUEBOARD_EVAL_SERVER_IDLE_S default: how long an unused resident evaluator stays */
export const DEFAULT_IDLE_S = 600;
/** a Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS) */
const MAX_SOCKET_PATH = 100;
const OFF = new Set(['off', '0', 'false', 'no']);

/**
 * Why `trueboard eval` with these arguments runs in its own process only, or null when a resident
 * evaluator may run it: disabled (TRUEBOARD_EVAL_SERVER=off, or on CI unless it is `on`), on
 * Windows, for `--help`, and with `--evaluators` (modules from the command line could change
 * between calls, and a long-lived process would keep the first copy).
 */
export function whyNotServed(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.TRUEBOARD_EVAL_SERVER?.toLowerCase();
  if (setting !== undefined && OFF.has(setting)) return 'TRUEBOARD_EVAL_SERVER is off';
  if (setting !== 'on' && env.CI && !OFF.has(env.CI.toLowerCase()))
    return 'CI is set (TRUEBOARD_EVAL_SERVER=on overrides)';
  if (process.platform === 'win32') return 'not on Windows';
  for (const a of args) {
    if (a === '--') break;
    if (a === '--help' || a === '-h' || a === 'help') return 'help';
    if (a === '--evaluators' || a.startsWith('--evaluators=')) return '--evaluators';
  }
  return null;
}

/** The place of the server for this build and environment (`bundleDir`: where dist/ is). */
export function serverPlace(bundleDir: string, env: NodeJS.ProcessEnv = process.env): ServerPlace {
  const buildFile = join(bundleDir, 'inputs.json');
  const build = statSync(buildFile, { throwIfNoEntry: false });
  // from source (tsx), the code may change under a long-lived process: never served
  if (!build) return { off: 'the CLI runs from its TypeScript sources' };
  const idle = env.TRUEBOARD_EVAL_SERVER_IDLE_S ?? String(DEFAULT_IDLE_S);
  const idleS = Number(idle);
  if (!(idle.trim() !== '' && Number.isFinite(idleS) && idleS > 0)) {
    return { off: `TRUEBOARD_EVAL_SERVER_IDLE_S must be a positive number of seconds, got "${idle}"` };
  }
  const uid = process.getuid?.() ?? 0;
  const dir = env.TRUEBOARD_EVAL_SERVER_DIR ?? join(env.XDG_RUNTIME_DIR || tmpdir(), `trueboard-${uid}`);
  const relevant = Object.keys(env)
    .filter((k) => RELEVANT_ENV.test(k))
    .sort()
    .map((k) => [k, env[k]]);
  const key = createHash('sha256')
    // the umask too: the reports a server writes get the permissions the caller's own would
    .update(
      JSON.stringify([
        process.execPath,
        process.version,
        build.mtimeMs,
        build.size,
        build.ino,
        process.umask(),
        relevant,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const socket = join(dir, `eval-${key}.sock`);
  if (socket.length > MAX_SOCKET_PATH) return { off: `${socket}: too long a path for a socket` };
  return {
    dir,
    socket,
    log: join(dir, `eval-${key}.log`),
    key,
    idleMs: idleS * 1000,
    build: { file: buildFile, id: buildId(build) },
  };
}

/**
 * Creates the server's directory if needed and checks that it is private: a real directory (not a
 * link), owned by this user, that nobody else may enter. Returns the problem, or null.
 */
export function ensurePrivateDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    return `${dir}: ${(err as Error).message}`;
  }
  return privateDirProblem(dir);
}

/**
 * Why the socket at `socket` may not be trusted, or null: its directory must be private (as
 * ensurePrivateDir makes it) and the socket this user's. Otherwise someone else could have put a
 * server there and would be sent our command lines and answer with output of their choosing.
 */
export function untrustedSocket(dir: string, socket: string): string | null {
  const problem = privateDirProblem(dir);
  if (problem) return problem;
  const info = lstatSync(socket, { throwIfNoEntry: false });
  if (!info) return `${socket}: no such socket`;
  if (!info.isSocket() || info.uid !== process.getuid?.()) return `${socket} is not a socket of this user`;
  return null;
}

function privateDirProblem(dir: string): string | null {
  try {
    const info = lstatSync(dir);
    if (!info.isDirectory()) return `${dir} is not a directory`;
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) return `${dir} belongs to another user (uid ${info.uid})`;
    if ((info.mode & 0o077) !== 0)
      return `${dir} may be entered by other users (mode ${(info.mode & 0o777).toString(8)})`;
    return null;
  } catch (err) {
    return `${dir}: ${(err as Error).message}`;
  }
}
