/**
 * The resource caps of SQL execution and their messages, the same wherever a result is kept (the
 * worker's cap, the result cache's budget, correction checks).
 *
 * A result's size: 8 bytes per number, NULL or integer, the UTF-8 length of text, the length of a
 * blob, plus the column names. Roughly the size of the result written out compactly; the
 * JavaScript objects holding it take a small multiple of that.
 */

/** Default cap on one result: evaluations and correction checks alike. */
export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024 * 1024;

/** Default memory limit of one SQL worker process, in MiB (see worker-process.ts). */
export const DEFAULT_WORKER_MEMORY_MB = 1024;

const NUMBER_BYTES = 8;

export function cellBytes(cell: unknown): number {
  if (typeof cell === 'string') return Buffer.byteLength(cell, 'utf8');
  if (cell instanceof Uint8Array) return cell.byteLength;
  return NUMBER_BYTES;
}

/** `16 MiB`, `1.5 KiB`, `300 bytes`: for messages. */
export function formatBytes(n: number): string {
  const [unit, size] = n >= 1024 * 1024 ? ['MiB', 1024 * 1024] : n >= 1024 ? ['KiB', 1024] : ['bytes', 1];
  const v = n / (size as number);
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
}

/** The message of a `too_large` failure. */
export const tooLargeMessage = (maxBytes: number) => `result larger than ${formatBytes(maxBytes)}`;

/** The message of an `out_of_memory` failure, naming the limit when it is known. */
export function outOfMemoryMessage(memoryMb: number | null): string {
  return memoryMb
    ? `out of memory: the query needs more than the SQL worker's ${memoryMb} MiB`
    : 'out of memory: the query needs more memory than the SQL worker has';
}
