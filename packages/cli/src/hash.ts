import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** Files up to this size are read in one go: a stream's chunks cost more than the hashing. */
const READ_WHOLE_BYTES = 16 * 1024 * 1024;

/** sha256 of a file; a large one is streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  if ((await stat(path)).size <= READ_WHOLE_BYTES) return h.update(await readFile(path)).digest('hex');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
