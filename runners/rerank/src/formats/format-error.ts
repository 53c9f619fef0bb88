/**
 * A problem in a re-ranking input file, or in what a writer was asked to write, that names the file and
 * the place in it: `queries.jsonl line 12: "_id" is missing` or `retrieved.json entry 3: "ctxs[0].id" …`.
 * Callers that read a submitter's file turn it into a user error; for benchmark data it is an operator's.
 */
export class FormatError extends Error {
  override name = 'FormatError';

  constructor(
    /** the file as the message names it (its base name, or a label such as `run`) */
    readonly file: string,
    /** `line 12`, `entry 3`, `query 'q1'`: where in the file; empty for the file as a whole */
    readonly where: string,
    readonly reason: string,
  ) {
    super(where ? `${file} ${where}: ${reason}` : `${file}: ${reason}`);
  }
}

/** Why a file could not be opened, in words (the errno code is kept: ENOENT, EACCES, EISDIR …). */
export function openFailure(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return `cannot read (${code || (err instanceof Error ? err.message : String(err))})`;
}
