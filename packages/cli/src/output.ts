import { createRequire } from 'node:module';
import type { CliStream } from './cli-io';

/** One-line failure: `trueboard: <reason>` on stderr and a non-zero exit code. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`trueboard: ${message}\n`);
  process.exit(code);
}

/**
 * The message of an error, with the platform's request id when the error came from the server
 * (REST errors carry it as `requestId`, tRPC client errors in `data.requestId`), so a report can
 * be matched to the server's log.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { requestId?: unknown; data?: { requestId?: unknown } };
  const id = typeof e.requestId === 'string' ? e.requestId : e.data?.requestId;
  return typeof id === 'string' && !err.message.includes(id) ? `${err.message} (request id ${id})` : err.message;
}

/** A progress bar on a TTY; plain periodic lines otherwise (CI logs). On `stream`, stderr by default. */
export function progressBar(label: string, total: number, stream: CliStream = process.stderr) {
  if (!stream.isTTY) {
    let last = -1;
    return {
      update(value: number, message = '') {
        const pct = Math.floor((100 * value) / Math.max(total, 1));
        if (pct >= last + 10 || value === total) {
          last = pct;
          stream.write(`${label}: ${pct}% ${message}\n`);
        }
      },
      stop() {},
    };
  }
  // loaded on a terminal only: piped output (scripts, CI, benches) never pays for it
  const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} {message}`,
    stream: stream as NodeJS.WritableStream,
    hideCursor: true,
  });
  bar.start(total, 0, { message: '' });
  return {
    update(value: number, message = '') {
      bar.update(value, { message });
    },
    stop() {
      bar.stop();
    },
  };
}

export function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => String(r[c] ?? '')));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
