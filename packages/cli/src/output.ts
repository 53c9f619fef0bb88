import { SingleBar } from 'cli-progress';

/** One-line failure: `trueboard: <reason>` on stderr and a non-zero exit code. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`trueboard: ${message}\n`);
  process.exit(code);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A progress bar on a TTY; plain periodic lines otherwise (CI logs). */
export function progressBar(label: string, total: number) {
  if (!process.stderr.isTTY) {
    let last = -1;
    return {
      update(value: number, message = '') {
        const pct = Math.floor((100 * value) / Math.max(total, 1));
        if (pct >= last + 10 || value === total) {
          last = pct;
          process.stderr.write(`${label}: ${pct}% ${message}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} {message}`,
    stream: process.stderr,
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
