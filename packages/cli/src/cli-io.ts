/**
 * Where a command's output goes and how it ends, for the commands that also run inside the resident
 * evaluator (eval-server/): there, stdout and stderr are frames to the calling CLI, and a failure
 * must end the request, never the process.
 */

/** A stream a command writes to; `isTTY` and `columns` describe the caller's terminal. */
export interface CliStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  out: CliStream;
  err: CliStream;
}

/** The process's own streams: a command run in this process. */
export const processIo: CliIo = { out: process.stdout, err: process.stderr };

/**
 * Exits once everything written to stdout and stderr has gone out. `process.exit` alone drops what
 * is still queued when they are sockets (a Node parent's `spawn` pipes are socket pairs): a
 * megabyte table came out cut at 600 KB.
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/**
 * A failure the user can act on: printed as `trueboard: <message>` and the command exits with
 * `code`. Thrown instead of exiting, so that the command's `finally` blocks run and a resident
 * evaluator survives it.
 */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}
