import { connect, type Socket } from 'node:net';

/**
 * The resident evaluator's protocol: one JSON object per line, each way, over its Unix socket.
 *
 * The CLI sends `run` (the command line after `trueboard`, its working directory and what its
 * stdout and stderr are), then possibly `cancel` (Ctrl-C); the server answers with the command's
 * output as `out`/`err` text and ends with `exit`. `status` and `stop` are `trueboard eval-server`'s.
 */
export interface TtyInfo {
  isTTY: boolean;
  columns?: number;
}

export type ClientFrame =
  | { t: 'run'; args: string[]; cwd: string; out: TtyInfo; err: TtyInfo }
  | { t: 'cancel' }
  | { t: 'status' }
  | { t: 'stop' };

export interface ServerStatus {
  pid: number;
  startedAt: string;
  requests: number;
  /** the prepared datasets it keeps warm, most recently used last */
  datasets: string[];
  rssMiB: number;
  idleExitS: number;
}

export type ServerFrame =
  | { t: 'out'; d: string }
  | { t: 'err'; d: string }
  | { t: 'exit'; code: number }
  /** it runs another call: the caller evaluates in its own process (parallel calls stay parallel) */
  | { t: 'busy' }
  | { t: 'status'; status: ServerStatus };

/** A client frame larger than this is refused (a command line and a directory name are far smaller). */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** A connection to the socket at `path`, or undefined when nothing listens there. */
export function connectTo(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

export function send(socket: Socket, frame: ClientFrame | ServerFrame): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
}

/**
 * Calls `onFrame` with each line's object as it arrives; a line over `maxBytes` or one that is not
 * JSON ends the connection through `onBad`. The server limits what callers send it; the client
 * reads the server's output whatever its size (one `--per-query` table can be megabytes).
 */
export function readFrames<T>(
  socket: Socket,
  onFrame: (frame: T) => void,
  onBad: (why: string) => void,
  maxBytes = Number.POSITIVE_INFINITY,
): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let end = pending.indexOf('\n');
    while (end >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      let frame: T;
      try {
        frame = JSON.parse(line) as T;
      } catch {
        return onBad('a message that is not JSON');
      }
      onFrame(frame);
      end = pending.indexOf('\n');
    }
    if (pending.length > maxBytes) onBad(`a message over ${maxBytes} bytes`);
  });
}
