import type { Socket } from 'node:net';
import { type ServerPlace, serverPlace, untrustedSocket, whyNotServed } from './place';
import { type ClientFrame, connectTo, readFrames, type ServerFrame, type ServerStatus, send } from './protocol';

/**
 * What this process learnt of the resident evaluator. Kept on `process`, not in this module: the
 * launcher (bin/trueboard.cjs) asks through its own CommonJS copy of this file
 * (dist/eval-client.cjs), and the CLI bundle it falls back to must know that it did.
 */
interface ServerContact {
  /** a call already went to the server (or found none): the CLI does not ask again */
  asked?: boolean;
  /** a server answered (busy): no need to start one after the call */
  seen?: boolean;
}

export function serverContact(): ServerContact {
  const holder = process as unknown as Record<symbol, ServerContact | undefined>;
  const key = Symbol.for('trueboard.eval-server.contact');
  holder[key] ??= {};
  return holder[key];
}

/**
 * `trueboard eval …` through the resident evaluator of this build (`bundleDir`: where dist/ is)
 * and environment, when one is running: resolves to the exit code, after its output was written
 * here. Resolves to undefined when there is none (or it may not serve these arguments, or it went
 * away before answering): the CLI then evaluates in its own process, as without a server. Loaded
 * before anything else of the CLI, so it imports nothing heavy.
 */
export async function evalThroughServer(args: readonly string[], bundleDir: string): Promise<number | undefined> {
  const contact = serverContact();
  contact.asked = true;
  if (whyNotServed(args) !== null) return undefined;
  const place = serverPlace(bundleDir);
  if (place.off !== undefined) return undefined;
  const socket = await reach(place);
  if (!socket) return undefined;
  return new Promise<number | undefined>((done) => {
    let answered = false;
    let exited = false;
    let interrupts = 0;
    const interrupt = () => {
      // the first Ctrl-C cancels the evaluation on the server; a second leaves at once
      if (++interrupts > 1) process.exit(130);
      send(socket, { t: 'cancel' });
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    readFrames<ServerFrame>(
      socket,
      (frame) => {
        answered = true;
        if (frame.t === 'busy') {
          contact.seen = true;
          exited = true;
          socket.end();
          done(undefined);
        } else if (frame.t === 'out') process.stdout.write(frame.d);
        else if (frame.t === 'err') process.stderr.write(frame.d);
        else if (frame.t === 'exit') {
          exited = true;
          socket.end();
          done(frame.code);
        }
      },
      () => socket.destroy(),
    );
    socket.on('error', () => {});
    socket.on('close', () => {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      if (exited) return;
      if (!answered) {
        // nothing of this call was printed yet: it can run here instead
        process.stderr.write(
          'trueboard: the resident evaluator went away before answering; evaluating in this process\n',
        );
        return done(undefined);
      }
      process.stderr.write(
        `trueboard: the resident evaluator stopped in the middle of this evaluation (its log: ${place.log}); run the command again, or with TRUEBOARD_EVAL_SERVER=off to evaluate in this process\n`,
      );
      done(1);
    });
    const tty = (s: NodeJS.WriteStream) => ({ isTTY: s.isTTY === true, ...(s.columns ? { columns: s.columns } : {}) });
    send(socket, { t: 'run', args: [...args], cwd: process.cwd(), out: tty(process.stdout), err: tty(process.stderr) });
  });
}

/** A connection to the server, or undefined when none listens there (or one we may not trust). */
function reach(place: Exclude<ServerPlace, { off: string }>): Promise<Socket | undefined> {
  if (untrustedSocket(place.dir, place.socket) !== null) return Promise.resolve(undefined);
  return connectTo(place.socket);
}

/** One request and its one answer (`trueboard eval-server status|stop`); undefined when no server listens. */
export async function askServer(
  place: Exclude<ServerPlace, { off: string }>,
  frame: Extract<ClientFrame, { t: 'status' | 'stop' }>,
): Promise<ServerStatus | 'stopped' | undefined> {
  const socket = await reach(place);
  if (!socket) return undefined;
  return new Promise((resolve) => {
    readFrames<ServerFrame>(
      socket,
      (reply) => {
        if (reply.t === 'status') resolve(reply.status);
      },
      () => socket.destroy(),
    );
    socket.on('error', () => {});
    socket.on('close', () => resolve(frame.t === 'stop' ? 'stopped' : undefined));
    send(socket, frame);
  });
}
