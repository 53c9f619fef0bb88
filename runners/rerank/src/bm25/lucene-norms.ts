/**
 * Lucene stores a document's field length in one byte (`SmallFloat.intToByte4`, used by
 * `BM25Similarity.computeNorm` since Lucene 7) and scores with the decoded, rounded-down length.
 * Lengths below 24 are exact; longer ones keep 4 significant bits (e.g. 100 → 96, 255 → 248, 1000 → 984). Modelling
 * it lets our scores, and so our rankings, match Anserini/Pyserini rather than only approximate them.
 * Transcribed from org.apache.lucene.util.SmallFloat (Lucene 8/9).
 */

/** Float-like encoding of a non-negative integer keeping 4 significant bits. */
function longToInt4(i: number): number {
  const numBits = i === 0 ? 0 : Math.floor(Math.log2(i)) + 1;
  if (numBits < 4) return i; // subnormal: stored as is
  const shift = numBits - 4;
  // keep the 4 most significant bits, drop the implicit leading one, store shift + 1 above them
  return (Math.floor(i / 2 ** shift) & 0x07) | ((shift + 1) << 3);
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

/** 255 - longToInt4(2^31 - 1) = 24: the codes below it hold small lengths exactly. */
const NUM_FREE_VALUES = 255 - longToInt4(2 ** 31 - 1);

export function intToByte4(length: number): number {
  if (!Number.isInteger(length) || length < 0)
    throw new Error(`field length must be a non-negative integer, got ${length}`);
  return length < NUM_FREE_VALUES ? length : NUM_FREE_VALUES + longToInt4(length - NUM_FREE_VALUES);
}

export function byte4ToInt(code: number): number {
  return code < NUM_FREE_VALUES ? code : NUM_FREE_VALUES + int4ToLong(code - NUM_FREE_VALUES);
}

/** The length Lucene's BM25 sees for a field of `length` terms. */
export const luceneLength = (length: number): number => byte4ToInt(intToByte4(length));
