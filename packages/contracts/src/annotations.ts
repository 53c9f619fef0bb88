/** Gold fields of each example, by example id. */
export type Annotations = Map<string, Record<string, string>>;

/**
 * One dataset layout's gold annotations: read them from the layout's files, and write changed
 * fields back touching nothing else (so existing tools run unchanged on a corrected version).
 * Each family's module lists the codecs of its layouts.
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

/** A dataset file that does not have the shape its layout's codec expects. */
export class AnnotationError extends Error {
  override name = 'AnnotationError';
}
