import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serverContact } from './client';
import { ensurePrivateDir, serverPlace, whyNotServed } from './place';

const LOG_BYTES = 1024 * 1024;

/**
 * Starts the resident evaluator for the next `trueboard eval` (see server.ts) as this in-process
 * one ends, when none serves this build and environment yet (the call did not reach one) and none
 * is disabled. It runs detached, writes to its log beside its socket, and exits after
 * TRUEBOARD_EVAL_SERVER_IDLE_S unused. Said on stderr when stderr is a terminal.
 */
export async function startEvalServerAfter(argv: readonly string[]): Promise<void> {
  if (serverContact().seen || whyNotServed(argv.slice(2)) !== null) return;
  const place = serverPlace(import.meta.dirname);
  if (place.off !== undefined) return;
  const problem = ensurePrivateDir(place.dir);
  if (problem) {
    process.stderr.write(`trueboard: no resident evaluator: ${problem}\n`);
    return;
  }
  // a line per call: kept while under LOG_BYTES, started afresh past it
  const size = statSync(place.log, { throwIfNoEntry: false })?.size ?? 0;
  const log = openSync(place.log, size > LOG_BYTES ? 'w' : 'a', 0o600);
  try {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'trueboard.js'), 'eval-server', 'run'], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: place.dir,
    });
    child.on('error', () => {});
    child.unref();
    if (process.stderr.isTTY) {
      process.stderr.write(
        `trueboard: started a resident evaluator (pid ${child.pid}) that keeps SQL workers and gold results warm for the next \`trueboard eval\`; it exits after ${Math.round(place.idleMs / 1000)} s unused (\`trueboard eval-server stop\`; TRUEBOARD_EVAL_SERVER=off never starts one)\n`,
      );
    }
  } finally {
    closeSync(log);
  }
}
