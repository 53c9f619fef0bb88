import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { QrelsQuery, RunQuery } from './trec-data';
import { forEachLine, splitTokens, TrecFormatError, type TrecSource } from './trec-lines';

/**
 * Streaming readers for TREC runs (`qid Q0 docid rank score tag`) and qrels (`qid iter docid label`). The
 * raw text is never held: each query's document ids accumulate as bytes in one growing buffer and its
 * scores in a Float64Array, so a 7M-line run costs about (id bytes + 12) bytes a line. Query ids are
 * interned. Lines of one query need not be contiguous. Blank lines are skipped, as trec_eval skips them.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A query's documents as they are read; `finish` trims the arrays to their length. */
class QueryBuilder {
  count = 0;
  byteLength = 0;
  bytes = new Uint8Array(256);
  starts = new Uint32Array(16);
  values: Float64Array | Int32Array;

  constructor(
    readonly qid: string,
    integer: boolean,
  ) {
    this.values = integer ? new Int32Array(16) : new Float64Array(16);
  }

  add(buf: Buffer, start: number, end: number, value: number): void {
    const len = end - start;
    if (this.byteLength + len > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.byteLength + len));
      grown.set(this.bytes.subarray(0, this.byteLength));
      this.bytes = grown;
    }
    if (this.count + 2 > this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const values =
        this.values instanceof Int32Array ? new Int32Array(starts.length) : new Float64Array(starts.length);
      values.set(this.values);
      this.values = values;
    }
    const bytes = this.bytes;
    let q = this.byteLength;
    for (let p = start; p < end; p++, q++) bytes[q] = buf[p] ?? 0;
    this.starts[this.count] = this.byteLength;
    this.values[this.count] = value;
    this.count++;
    this.byteLength = q;
  }

  /**
   * Trims the arrays to the query's size, keeping one spare slot. Called when the file moves on to another
   * query, so that a whole run holds no doubling slack (a later line of this query simply grows them again).
   */
  seal(): void {
    if (this.bytes.length !== this.byteLength) this.bytes = this.bytes.slice(0, this.byteLength);
    if (this.starts.length !== this.count + 1) {
      this.starts = this.starts.slice(0, this.count + 1);
      this.values = this.values.slice(0, this.count + 1);
    }
    this.starts[this.count] = this.byteLength;
  }

  docs() {
    this.seal();
    return { count: this.count, bytes: this.bytes, starts: this.starts };
  }
}

/** Interns query ids: consecutive lines of one query (the usual layout) skip the map lookup entirely. */
class QueryTable {
  private readonly byQid = new Map<string, QueryBuilder>();
  private last: QueryBuilder | null = null;
  private lastBytes = Buffer.alloc(0);

  constructor(private readonly integer: boolean) {}

  get(buf: Buffer, start: number, end: number): QueryBuilder {
    const last = this.last;
    if (last && this.sameAsLast(buf, start, end)) return last;
    last?.seal();
    const qid = buf.toString('utf8', start, end);
    let q = this.byQid.get(qid);
    if (!q) {
      q = new QueryBuilder(qid, this.integer);
      this.byQid.set(qid, q);
    }
    this.last = q;
    this.lastBytes = Buffer.from(buf.subarray(start, end));
    return q;
  }

  private sameAsLast(buf: Buffer, start: number, end: number): boolean {
    const last = this.lastBytes;
    if (end - start !== last.length) return false;
    for (let i = 0; i < last.length; i++) if (buf[start + i] !== last[i]) return false;
    return true;
  }

  all(): QueryBuilder[] {
    return [...this.byQid.values()];
  }
}

function text(buf: Buffer, bounds: Int32Array, token: number): string {
  return buf.toString('utf8', bounds[2 * token], bounds[2 * token + 1]);
}

export async function readTrecRun(source: TrecSource, fileName: string): Promise<RunQuery[]> {
  const table = new QueryTable(false);
  const bounds = new Int32Array(12);
  await forEachLine(source, (buf, start, end, line) => {
    const n = splitTokens(buf, start, end, bounds, 6);
    if (n === 0) return;
    // trec_eval ignores anything after the sixth column; so do we.
    if (n < 6) {
      throw new TrecFormatError(fileName, line, `expected 6 columns 'qid Q0 docid rank score tag', found ${n}`);
    }
    let score = fastDecimal(buf, bounds[8] ?? 0, bounds[9] ?? 0);
    if (Number.isNaN(score)) score = slowScore(buf, bounds, fileName, line);
    table.get(buf, bounds[0] ?? 0, bounds[1] ?? 0).add(buf, bounds[4] ?? 0, bounds[5] ?? 0, score);
  });
  return table
    .all()
    .map((q) => ({ qid: q.qid, docs: q.docs(), scores: q.values.subarray(0, q.count) as Float64Array }));
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parses `[-+]digits[.digits]` with at most 15 digits exactly (Clinger's fast path: an integer below 2^53
 * divided by an exact power of ten is one correctly rounded operation, so the result equals `Number()`'s
 * and C `strtod`'s). Anything else returns NaN and goes through `slowScore`.
 */
function fastDecimal(buf: Buffer, start: number, end: number): number {
  let p = start;
  const sign = buf[p] === 45 ? -1 : 1;
  if (buf[p] === 45 || buf[p] === 43) p++;
  let digits = 0;
  let fraction = -1;
  let value = 0;
  for (; p < end; p++) {
    const c = buf[p] ?? 0;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  return (sign * value) / (POW10[Math.max(fraction, 0)] ?? 1);
}

function slowScore(buf: Buffer, bounds: Int32Array, fileName: string, line: number): number {
  const scoreText = buf.toString('latin1', bounds[8], bounds[9]);
  const score = Number(scoreText);
  if (!DECIMAL.test(scoreText) || !Number.isFinite(score)) {
    const what = /^[+-]?(nan|inf(inity)?)$/i.test(scoreText) || DECIMAL.test(scoreText) ? 'not finite' : 'not a number';
    throw new TrecFormatError(
      fileName,
      line,
      `query '${text(buf, bounds, 0)}' document '${text(buf, bounds, 2)}': score '${scoreText}' is ${what}`,
    );
  }
  return score;
}

export async function readTrecQrels(source: TrecSource, fileName: string): Promise<QrelsQuery[]> {
  const table = new QueryTable(true);
  const bounds = new Int32Array(10);
  await forEachLine(source, (buf, start, end, line) => {
    const n = splitTokens(buf, start, end, bounds, 4);
    if (n === 0) return;
    if (n !== 4) {
      throw new TrecFormatError(
        fileName,
        line,
        `expected 4 columns 'qid iter docid label', found ${n > 4 ? 'more' : n}`,
      );
    }
    const labelText = buf.toString('latin1', bounds[6], bounds[7]);
    const label = Number(labelText);
    if (!INTEGER.test(labelText) || label < -(2 ** 31) || label >= 2 ** 31) {
      throw new TrecFormatError(
        fileName,
        line,
        `query '${text(buf, bounds, 0)}' document '${text(buf, bounds, 2)}': label '${labelText}' is not an integer`,
      );
    }
    table.get(buf, bounds[0] ?? 0, bounds[1] ?? 0).add(buf, bounds[4] ?? 0, bounds[5] ?? 0, label);
  });
  return table.all().map((q) => ({ qid: q.qid, docs: q.docs(), labels: q.values.subarray(0, q.count) as Int32Array }));
}

function fileSource(path: string): TrecSource {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Reads a run file; errors name it `name` (default: the file's base name). */
export function readTrecRunFile(path: string, name = basename(path)): Promise<RunQuery[]> {
  return readTrecRun(fileSource(path), name);
}

export function readTrecQrelsFile(path: string, name = basename(path)): Promise<QrelsQuery[]> {
  return readTrecQrels(fileSource(path), name);
}

export { TrecFormatError, type TrecSource } from './trec-lines';
