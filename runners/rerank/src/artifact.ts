import type { ArtifactSpec } from '@trueboard/contracts';

/*
 * What a re-ranking submission uploads, with the check the upload form runs before sending it. Free
 * of zod and of everything the evaluator needs, so the web app's submit page can import it (a zod
 * schema built in the browser probes `new Function`, which the pages' CSP forbids).
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A quick look at the first line of a run, as the evaluator reads it: `qid Q0 docid rank score tag`,
 * whitespace-separated. Columns after the sixth are ignored there (as trec_eval ignores them), so here too.
 */
export function checkRunFile(file: { name: string; text: string }): string | null {
  const first = file.text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return `${file.name}: the file is empty; expected 'qid Q0 docid rank score tag' lines`;
  const line = file.text.split('\n').indexOf(first) + 1;
  const cols = first.trim().split(/\s+/);
  if (cols.length < 6) {
    return `${file.name} line ${line}: expected 6 columns 'qid Q0 docid rank score tag', found ${cols.length}`;
  }
  const score = cols[4] ?? '';
  if (!NUMBER.test(score) || !Number.isFinite(Number(score))) {
    return `${file.name} line ${line}: the score column (5th) '${score}' is not a finite number`;
  }
  return null;
}

/** Archives are a model directory, unpacked and checked by the evaluator: nothing to look at here. */
const ARCHIVE = /\.(tar|tar\.gz|tgz|zip)$/i;

export const rerankArtifact: ArtifactSpec = {
  // a run file, or an ONNX cross-encoder directory uploaded as one archive: told apart by the bytes
  kind: 'file-or-directory',
  extensions: ['.trec', '.txt', '.run', '.tar', '.tar.gz', '.tgz', '.zip'],
  // a 7,000-query × 1,000-document run is ~300 MB (DOMAIN.md §4); a MiniLM cross-encoder ~90 MB
  maxBytes: 512 * 1024 * 1024,
  check: (file) => (ARCHIVE.test(file.name) ? null : checkRunFile(file)),
};
