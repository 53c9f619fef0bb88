import { AnnotationError } from '@trueboard/contracts';

/** Keeps a file's line ending style when one line is replaced. */
export function replaceLines(text: string, replacements: Map<number, string>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  for (const [i, line] of replacements) {
    if (i < 0 || i >= lines.length) throw new AnnotationError(`line ${i + 1} does not exist`);
    lines[i] = line;
  }
  return lines.join(eol);
}

/** A dev.json that must be a JSON array of example objects. */
export function parseDevArray(text: string): Record<string, unknown>[] {
  let dev: unknown;
  try {
    dev = JSON.parse(text);
  } catch (err) {
    throw new AnnotationError(`dev.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(dev)) throw new AnnotationError('dev.json must be an array of examples');
  return dev as Record<string, unknown>[];
}
