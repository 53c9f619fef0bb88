import type { Writable } from 'node:stream';
import { FormatError } from './format-error';
import { batched, writeChunks } from './stream-write';
import { type Candidate, idProblem } from './types';

export interface TrecRunWriteOptions {
  /** the run tag, the sixth column; no whitespace */
  tag: string;
  /** the name errors use for the output (default `run`) */
  name?: string;
}

/**
 * The shortest decimal that parses back to the same double (ECMAScript's Number-to-String guarantees
 * it, also with an exponent such as `1e-7`, which trec_eval's atof and our parser accept). `-0` is kept
 * as `-0`: String(-0) is "0", which would parse back as a different bit pattern.
 */
export function formatScore(score: number): string {
  return Object.is(score, -0) ? '-0' : String(score);
}

/**
 * The lines of a TREC run (`qid Q0 docid rank score tag`), ranks 1-based in the given order. Each query's
 * scores must not increase down the list: trec_eval ranks by score and ignores the rank column, so a file
 * whose scores disagree with its ranks would be evaluated in another order than it says. Ids and the tag
 * may hold no whitespace; scores must be finite; a document appears once per query, a query once.
 */
export function* trecRunLines(
  run: Iterable<readonly [string, Iterable<Candidate>]>,
  options: TrecRunWriteOptions,
): Generator<string> {
  const name = options.name ?? 'run';
  const tagProblem = idProblem(options.tag);
  if (tagProblem) throw new FormatError(name, '', `tag ${tagProblem}`);
  const seenQueries = new Set<string>();
  for (const [qid, candidates] of run) {
    const qidProblem = idProblem(qid);
    if (qidProblem) throw new FormatError(name, `query ${JSON.stringify(qid)}`, `query id ${qidProblem}`);
    if (seenQueries.has(qid)) throw new FormatError(name, `query ${JSON.stringify(qid)}`, 'appears twice in the run');
    seenQueries.add(qid);
    const seenDocs = new Set<string>();
    let rank = 0;
    let previous = Number.POSITIVE_INFINITY;
    for (const { docid, score } of candidates) {
      rank++;
      const at = `query ${JSON.stringify(qid)} rank ${rank}`;
      const docProblem = idProblem(docid);
      if (docProblem) throw new FormatError(name, at, `document id ${docProblem}`);
      if (seenDocs.has(docid)) throw new FormatError(name, at, `document ${JSON.stringify(docid)} appears twice`);
      seenDocs.add(docid);
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new FormatError(name, at, `score ${String(score)} is not a finite number`);
      }
      if (score > previous) {
        throw new FormatError(
          name,
          at,
          `score ${formatScore(score)} is above the score ${formatScore(previous)} at rank ${rank - 1}: scores must not increase down the ranking`,
        );
      }
      previous = score;
      yield `${qid} Q0 ${docid} ${rank} ${formatScore(score)} ${options.tag}\n`;
    }
  }
}

/**
 * Streams a run to `out` as a TREC run file, honouring backpressure; `out` is left open. Lines are checked
 * as they are written, so a run refused halfway leaves a prefix in `out`: a caller writing a file should
 * write to a temporary name and rename it once this resolves.
 */
export async function writeTrecRun(
  run: Iterable<readonly [string, Iterable<Candidate>]>,
  out: Writable,
  options: TrecRunWriteOptions,
): Promise<void> {
  await writeChunks(out, batched(trecRunLines(run, options)));
}
