import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes string chunks to `out`, waiting for 'drain' whenever it asks to, so a large run never piles up
 * in the stream's buffer. An error on the stream rejects the wait. The stream is not ended: the caller
 * owns it (it may write more, or hand it to `pipeline`).
 */
export async function writeChunks(out: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (out.destroyed) throw new Error('the output stream was closed before the writer finished');
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

/** Groups small pieces into chunks of about `size` characters: one write per line would be slow. */
export function* batched(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let buffer = '';
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
