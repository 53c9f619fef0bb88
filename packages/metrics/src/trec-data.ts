/**
 * Compact in-memory form of TREC runs and qrels. Document ids are kept as their raw UTF-8 bytes, all
 * of one query's ids concatenated in one `Uint8Array` with start offsets: a 7M-line run then costs
 * about (id bytes + 12) bytes a line instead of one JS string object per id, and trec_eval's tie
 * break (`strcmp` on docnos, i.e. unsigned byte order) is a plain byte comparison.
 */

/** `count` byte strings: string `i` is `bytes[starts[i] .. starts[i + 1])`. */
export interface ByteStrings {
  count: number;
  bytes: Uint8Array;
  /** `count + 1` offsets into `bytes`. */
  starts: Uint32Array;
}

/** One query of a run: the retrieved documents and their scores (the rank column is not kept: it never matters). */
export interface RunQuery {
  qid: string;
  docs: ByteStrings;
  scores: Float64Array;
}

/** One query of a qrels file: judged documents and their integer labels (negative = pooled but unjudged). */
export interface QrelsQuery {
  qid: string;
  docs: ByteStrings;
  labels: Int32Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function byteStrings(values: readonly string[]): ByteStrings {
  const encoded = values.map((v) => encoder.encode(v));
  const starts = new Uint32Array(values.length + 1);
  let total = 0;
  encoded.forEach((e, i) => {
    starts[i] = total;
    total += e.length;
  });
  starts[values.length] = total;
  const bytes = new Uint8Array(total);
  encoded.forEach((e, i) => {
    bytes.set(e, starts[i]);
  });
  return { count: values.length, bytes, starts };
}

export function byteStringAt(s: ByteStrings, i: number): string {
  return decoder.decode(s.bytes.subarray(s.starts[i], s.starts[i + 1]));
}

/** Unsigned byte comparison of string `i` of `a` and string `j` of `b`, like C `strcmp`. */
export function compareByteStrings(a: ByteStrings, i: number, b: ByteStrings, j: number): number {
  const ab = a.bytes;
  const bb = b.bytes;
  let p = a.starts[i] ?? 0;
  const pEnd = a.starts[i + 1] ?? 0;
  let q = b.starts[j] ?? 0;
  const qEnd = b.starts[j + 1] ?? 0;
  for (; p < pEnd && q < qEnd; p++, q++) {
    const d = (ab[p] ?? 0) - (bb[q] ?? 0);
    if (d !== 0) return d;
  }
  return pEnd - p - (qEnd - q);
}

/** Orders JS strings by their UTF-8 bytes (code point order), which is how trec_eval orders query ids. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) stand for code points above U+FFFF, which sort after U+E000–FFFF in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  // FNV-1a: cheap, and good enough for open addressing over at most a few thousand ids a query.
  let h = 0x811c9dc5;
  for (let p = start; p < end; p++) h = Math.imul(h ^ (bytes[p] ?? 0), 0x01000193);
  return h >>> 0;
}

/**
 * An open-addressing hash index over the strings of one `ByteStrings`: finds a string's index without
 * building a JS string per id. Building it reports the first duplicate.
 */
export class ByteStringIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Index of a string equal to an earlier one, or -1. */
  readonly duplicate: number = -1;

  constructor(private readonly strings: ByteStrings) {
    let size = 16;
    while (size < strings.count * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let i = 0; i < strings.count; i++) {
      if (this.insert(i) !== i) {
        this.duplicate = i;
        break;
      }
    }
  }

  /** Index of string `j` of `other` in this index's strings, or -1. */
  find(other: ByteStrings, j: number): number {
    const start = other.starts[j] ?? 0;
    let slot = hashBytes(other.bytes, start, other.starts[j + 1] ?? 0) & this.mask;
    for (;;) {
      const i = this.slots[slot] ?? -1;
      if (i < 0 || compareByteStrings(this.strings, i, other, j) === 0) return i;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Inserts string `i`; returns the index already holding an equal string, or `i`. */
  private insert(i: number): number {
    const s = this.strings;
    let slot = hashBytes(s.bytes, s.starts[i] ?? 0, s.starts[i + 1] ?? 0) & this.mask;
    for (;;) {
      const held = this.slots[slot] ?? -1;
      if (held < 0) {
        this.slots[slot] = i;
        return i;
      }
      if (compareByteStrings(s, held, s, i) === 0) return held;
      slot = (slot + 1) & this.mask;
    }
  }
}

export interface RunEntry {
  qid: string;
  docid: string;
  score: number;
}

export interface QrelsEntry {
  qid: string;
  docid: string;
  label: number;
}

function groupBy<T extends { qid: string }>(entries: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const e of entries) {
    const g = groups.get(e.qid);
    if (g) g.push(e);
    else groups.set(e.qid, [e]);
  }
  return groups;
}

/** Builds run queries from plain entries (tests, small in-memory runs); big files go through `trec-io`. */
export function runFromEntries(entries: readonly RunEntry[]): RunQuery[] {
  return [...groupBy(entries)].map(([qid, es]) => ({
    qid,
    docs: byteStrings(es.map((e) => e.docid)),
    scores: Float64Array.from(es, (e) => e.score),
  }));
}

export function qrelsFromEntries(entries: readonly QrelsEntry[]): QrelsQuery[] {
  return [...groupBy(entries)].map(([qid, es]) => {
    for (const e of es) {
      if (!Number.isInteger(e.label) || e.label < -(2 ** 31) || e.label >= 2 ** 31) {
        throw new RangeError(`qrels: query '${qid}' document '${e.docid}': label ${e.label} is not a 32-bit integer`);
      }
    }
    return { qid, docs: byteStrings(es.map((e) => e.docid)), labels: Int32Array.from(es, (e) => e.label) };
  });
}
