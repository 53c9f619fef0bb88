import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { FormatError, openFailure } from './format-error';

/**
 * The lines of a text file with their 1-based numbers, read through a stream so that only one line is
 * held at a time. `\r\n` counts as one line break and a leading UTF-8 byte-order mark is dropped. The
 * file is opened before the first line is asked for, so a missing file fails as a FormatError naming it
 * instead of surfacing later as a stream error.
 */
export async function* fileLines(path: string, name: string): AsyncGenerator<{ line: string; number: number }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new FormatError(name, '', openFailure(err));
  }
  const input = handle.createReadStream({ encoding: 'utf8', highWaterMark: 1 << 16 });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const raw of lines) {
      number++;
      yield { line: number === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw, number };
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(name, `line ${number + 1}`, openFailure(err));
  } finally {
    // Closing the interface and the stream releases the handle also when the caller stops early or throws.
    lines.close();
    input.destroy();
    await handle.close().catch(() => undefined);
  }
}

/** True for an empty or whitespace-only line, which the line-based readers skip. */
export function isBlank(line: string): boolean {
  return line.trim() === '';
}
