/** Powers of 1024, as `ls -h`, `du -h` and the cache's own messages (formatBytes) count. */
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i;

/**
 * A size as an operator writes it: plain bytes (`1000000`), or a number with K, M, G or T (powers of
 * 1024; `500M`, `20G`, `1.5GiB`, `64KB` all work). Fractions round down to whole bytes. Anything
 * else, and zero, is an error naming the option and showing what it takes.
 */
export function parseByteSize(text: string, what: string): number {
  const m = SIZE.exec(text.trim());
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(
      `${what}: "${text}" is not a size; give bytes (e.g. 1000000) or a number with K, M, G or T (e.g. 500M, 20G)`,
    );
  }
  return bytes;
}
