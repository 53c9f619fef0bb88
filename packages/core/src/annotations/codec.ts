/** Gold fields of each example, by example id. */
export type Annotations = Map<string, Record<string, string>>;

/**
 * One dataset layout's gold annotations: read them from the layout's files, and write changed
 * fields back touching nothing else (so existing tools run unchanged on a corrected version).
 */
export interface AnnotationCodec {
  name: string;
  /** the gold fields a correction may change */
  editable: readonly string[];
  /** the files this codec reads and rewrites, when the dataset has this layout; else null */
  files(paths: readonly string[]): string[] | null;
  read(files: Record<string, string>): Annotations;
  /** the rewritten files (only those that changed) for per-example field patches */
  apply(files: Record<string, string>, patches: Annotations): Record<string, string>;
  /**
   * What `apply` does, per example id, to fields the dataset computed from the corrected ones
   * (token lists, parses), for the changelog; absent when the layout has no such fields.
   */
  derived?(files: Record<string, string>, patches: Annotations): Map<string, DerivedFields>;
}

/** Fields derived from an example's gold that a correction regenerated or removed. */
export interface DerivedFields {
  /** recomputed exactly from the corrected gold */
  regenerated: string[];
  /** taken out of the example because they would describe the old gold, each with the reason */
  removed: { field: string; why: string }[];
}

export class AnnotationError extends Error {
  override name = 'AnnotationError';
}

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
