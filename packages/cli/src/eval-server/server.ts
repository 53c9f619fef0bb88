import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Command, CommanderError } from 'commander';
import type { CliIo, CliStream } from '../cli-io';
import { loadEvalCommand } from '../commands/eval';
import { errorMessage } from '../output';
import { surviveStrayRejections } from '../stray-rejections';
import { buildId, ensurePrivateDir, type ServerPlace } from './place';
import {
  type ClientFrame,
  connectTo,
  MAX_FRAME_BYTES,
  readFrames,
  type ServerStatus,
  send,
  type TtyInfo,
} from './protocol';
import { WarmStore } from './warm-store';

/** Past this resident size after a call, the server ends once it has answered (the next call starts a fresh one). */
const MAX_RSS_BYTES = 3 * 1024 ** 3;
/**
 * How long a cancelled evaluation may take to stop by itself. An evaluator stops issuing work when
 * its signal aborts, and text-to-SQL's pool also kills a worker running its query; a family whose
 * workers go on may hold them (a runaway until its timeout). Past this, the warm datasets are
 * disposed of, which kills their workers, so the next call waits for nothing.
 */
const CANCEL_GRACE_MS = 1000;
/** How often a server looks whether its build (dist/inputs.json) was replaced. */
const BUILD_CHECK_MS = 2000;

type Place = Exclude<ServerPlace, { off: string }>;

/**
 * The resident evaluator (`trueboard eval-server run`, started by an in-process `trueboard eval`
 * as it ends): it runs `trueboard eval` command lines sent by the CLI over a Unix socket, with the
 * same command code, keeping the evaluators loaded and the prepared datasets (SQL workers, gold
 * results, parsed questions) warm between calls (WarmStore). It runs one call at a time, in the
 * caller's working directory, with the caller's output; a call that comes while it is busy is told
 * so and runs in the caller's own process (parallel calls stay parallel); a caller that goes away
 * or presses Ctrl-C cancels its evaluation. It exits after `place.idleMs` without a call, on
 * `trueboard eval-server stop`, on SIGTERM/SIGINT (cancelling the call it runs), or once its build
 * is replaced (after the call it runs), removing its socket.
 */
export async function runEvalServer(place: Place): Promise<void> {
  const problem = ensurePrivateDir(place.dir);
  if (problem) throw new Error(`the resident evaluator cannot start: ${problem}`);
  const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
  surviveStrayRejections(log);
  const store = new WarmStore();
  const startedAt = new Date();
  let requests = 0;
  /** the call it runs (settled when it runs none) */
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  /** the running call's, aborted when the server stops */
  let current: AbortController | undefined;
  let idle: NodeJS.Timeout | undefined;
  let stopping = false;

  const server = createServer((socket) => serve(socket));
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    clearTimeout(idle);
    server.close();
    removeSocket(place.socket);
    // a running call is cancelled, and given the time a Ctrl-C gets before its workers are killed
    current?.abort(new Error(`the resident evaluator stopped (${why}); run the command again`));
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS))]);
    await store.close();
    await running;
    process.exit(0);
  };
  /** why to stop once the call it runs ends: its build was replaced meanwhile */
  let stopAfterCall: string | undefined;
  // a new build (`npm run build`, an upgrade) gets servers of its own (its key differs), and may
  // have removed the chunks this one would load next: this one goes instead of idling on
  const watchBuild = setInterval(() => {
    const now = statSync(place.build.file, { throwIfNoEntry: false });
    if (now && buildId(now) === place.build.id) return;
    clearInterval(watchBuild);
    const why = now ? 'its build was replaced (a new bundle in dist/)' : 'its build is gone';
    if (busy) stopAfterCall = why;
    else void stop(why);
  }, BUILD_CHECK_MS);
  watchBuild.unref();
  const afterCall = () => {
    busy = false;
    if (stopAfterCall) void stop(stopAfterCall);
    else if (process.memoryUsage().rss > MAX_RSS_BYTES) void stop('resident size over 3 GiB after a call');
    else armIdle();
  };
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void stop(`unused for ${place.idleMs / 1000} s`), place.idleMs);
    idle.unref();
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  function serve(socket: Socket): void {
    socket.on('error', () => {});
    let started = false;
    const controller = new AbortController();
    socket.on('close', () => controller.abort(new Error('the calling trueboard went away')));
    readFrames<ClientFrame>(
      socket,
      (frame) => {
        if (frame.t === 'status') {
          send(socket, { t: 'status', status: status() });
          socket.end();
        } else if (frame.t === 'stop') {
          socket.end();
          void stop('asked to by trueboard eval-server stop');
        } else if (frame.t === 'cancel') {
          controller.abort(new Error('cancelled (Ctrl-C)'));
        } else if (frame.t === 'run' && !started && (busy || stopping)) {
          send(socket, { t: 'busy' });
          socket.end();
        } else if (frame.t === 'run' && !started && wellFormed(frame)) {
          started = true;
          busy = true;
          current = controller;
          clearTimeout(idle);
          running = runOne(frame, socket, controller.signal).then(afterCall, afterCall);
        } else socket.destroy();
      },
      (why) => {
        log(`refused a connection: ${why}`);
        socket.destroy();
      },
      MAX_FRAME_BYTES,
    );
  }

  async function runOne(frame: Extract<ClientFrame, { t: 'run' }>, socket: Socket, signal: AbortSignal): Promise<void> {
    if (signal.aborted) {
      socket.destroy();
      return;
    }
    requests++;
    const begun = performance.now();
    const io: CliIo = { out: frameStream(socket, 'out', frame.out), err: frameStream(socket, 'err', frame.err) };
    let code = 1;
    try {
      process.chdir(frame.cwd);
      const evaluation = runEvalCommandLine(frame.args, io, store, signal);
      const stuck = await Promise.race([evaluation.then(() => false), settleAfterAbort(signal, CANCEL_GRACE_MS)]);
      if (stuck) {
        log(`a cancelled evaluation went on for ${CANCEL_GRACE_MS} ms: disposing of the warm datasets to stop it`);
        await store.close();
      }
      code = await evaluation;
    } catch (err) {
      io.err.write(`trueboard: ${errorMessage(err)}\n`);
    }
    if (signal.aborted) {
      code = 130;
      io.err.write(`trueboard: ${signal.reason instanceof Error ? signal.reason.message : 'cancelled'}\n`);
    }
    send(socket, { t: 'exit', code });
    socket.end();
    log(`${frame.args.slice(0, 2).join(' ')}: exit ${code} in ${Math.round(performance.now() - begun)} ms`);
  }

  function status(): ServerStatus {
    return {
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      requests,
      datasets: store.describe(),
      rssMiB: Math.round(process.memoryUsage().rss / 1024 ** 2),
      idleExitS: place.idleMs / 1000,
    };
  }

  await listen(server, place.socket);
  chmodSync(place.socket, 0o600);
  log(`resident evaluator ${place.key} listening on ${place.socket} (pid ${process.pid})`);
  armIdle();
}

/** A `run` frame whose fields have the types the client sends (anything else ends the connection). */
function wellFormed(frame: Extract<ClientFrame, { t: 'run' }>): boolean {
  const tty = (t: unknown) => typeof t === 'object' && t !== null && typeof (t as TtyInfo).isTTY === 'boolean';
  return (
    Array.isArray(frame.args) &&
    frame.args.length < 10_000 &&
    frame.args.every((a) => typeof a === 'string') &&
    typeof frame.cwd === 'string' &&
    tty(frame.out) &&
    tty(frame.err)
  );
}

/** Runs one `trueboard eval …` command line; resolves to its exit code. */
async function runEvalCommandLine(
  args: readonly string[],
  io: CliIo,
  store: WarmStore,
  signal: AbortSignal,
): Promise<number> {
  let code = 0;
  const argv = [process.execPath, 'trueboard', ...args];
  const program = new Command('trueboard')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
      getOutHelpWidth: () => io.out.columns ?? 80,
      getErrHelpWidth: () => io.err.columns ?? 80,
    })
    .showHelpAfterError('(run with --help for usage)');
  (
    await loadEvalCommand(argv, {
      io,
      store,
      signal,
      exit: async (c) => {
        code = c;
      },
    })
  )(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // commander printed its usage error (or help) already
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return code;
}

/** Resolves to true `ms` after `signal` aborts (never before; a signal that never aborts leaves nothing pending). */
function settleAfterAbort(signal: AbortSignal, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const fire = () => setTimeout(() => resolve(true), ms).unref();
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

/** A stream whose writes go to the caller as frames; `tty` is what the caller's own stream is. */
function frameStream(socket: Socket, kind: 'out' | 'err', tty: TtyInfo): CliStream {
  return {
    write: (text: string) => {
      send(socket, { t: kind, d: String(text) });
      return true;
    },
    isTTY: tty.isTTY,
    ...(tty.columns ? { columns: tty.columns } : {}),
  };
}

/**
 * Listens on the socket. A socket file left by a server that died is removed first; one that
 * another live server answers on means that server serves this place: this one exits.
 */
async function listen(server: Server, path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const failed = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      server.once('error', resolve);
      server.listen(path, () => {
        server.off('error', resolve);
        resolve(null);
      });
    });
    if (!failed) return;
    if (failed.code !== 'EADDRINUSE' || attempt > 0) throw failed;
    const probe = await connectTo(path);
    probe?.destroy();
    if (probe) {
      process.stdout.write(`another resident evaluator already listens on ${path}; exiting\n`);
      process.exit(0);
    }
    removeSocket(path);
  }
}

function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
