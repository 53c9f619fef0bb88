import { Buffer } from 'node:buffer';

/**
 * Line and token splitting for TREC text files read as a stream of byte chunks. Lines are handed out as
 * ranges of the chunk they sit in (a line split across chunks is copied once), so no line becomes a JS
 * string unless a caller asks for one.
 */

export class TrecFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file} line ${line}: ${reason}`);
    this.name = 'TrecFormatError';
  }
}

export type TrecSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** `onLine(buf, start, end, lineNumber)` for every line, without its newline; line numbers start at 1. */
export async function forEachLine(
  source: TrecSource,
  onLine: (buf: Buffer, start: number, end: number, line: number) => void,
): Promise<void> {
  let carry: Buffer | null = null;
  let line = 0;
  for await (const chunk of source) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    let nl = buf.indexOf(10);
    if (carry !== null) {
      if (nl < 0) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const joined: Buffer = Buffer.concat([carry, buf.subarray(0, nl)]);
      carry = null;
      onLine(joined, 0, joined.length, ++line);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    while (nl >= 0) {
      onLine(buf, start, nl, ++line);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    // Copy the unfinished tail: keeping a subarray would pin the whole chunk in memory.
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== null) onLine(carry, 0, carry.length, ++line);
}

function isSpace(b: number): boolean {
  // C isspace() in the "C" locale, which trec_eval uses to split columns.
  return b === 32 || (b >= 9 && b <= 13);
}

/**
 * Splits `buf[start, end)` on whitespace into `bounds` (start, end pairs); returns the number of tokens
 * found, counting at most `max + 1` so that callers can tell "too many".
 */
export function splitTokens(buf: Buffer, start: number, end: number, bounds: Int32Array, max: number): number {
  let n = 0;
  let p = start;
  while (p < end && n <= max) {
    while (p < end && isSpace(buf[p] ?? 0)) p++;
    if (p >= end) break;
    const s = p;
    while (p < end && !isSpace(buf[p] ?? 0)) p++;
    if (n < max) {
      bounds[2 * n] = s;
      bounds[2 * n + 1] = p;
    }
    n++;
  }
  return n;
}
