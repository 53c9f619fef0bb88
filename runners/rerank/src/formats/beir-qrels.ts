import { basename } from 'node:path';
import { FormatError } from './format-error';
import { fileLines, isBlank } from './lines';
import { idProblem, type Qrels } from './types';

/** The header line every BEIR `qrels/<split>.tsv` starts with. */
export const BEIR_QRELS_HEADER = 'query-id\tcorpus-id\tscore';

const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a BEIR qrels file (`query-id\tcorpus-id\tscore`, tab-separated, with that header) as a stream.
 * Labels are integers (negative = pooled but unjudged, as in trec_eval). A line with another number of
 * columns, a non-integer label, or a (query, document) pair judged twice is an error naming the line:
 * trec_eval treats duplicate judgments as errors too. Blank lines are skipped.
 */
export async function readBeirQrels(path: string, name = basename(path)): Promise<Qrels> {
  const qrels: Qrels = new Map();
  let sawHeader = false;
  for await (const { line, number } of fileLines(path, name)) {
    const at = `line ${number}`;
    if (!sawHeader) {
      if (line.trimEnd() !== BEIR_QRELS_HEADER) {
        throw new FormatError(
          name,
          at,
          `expected the BEIR header ${JSON.stringify(BEIR_QRELS_HEADER)}, got ${JSON.stringify(line.slice(0, 80))}`,
        );
      }
      sawHeader = true;
      continue;
    }
    if (isBlank(line)) continue;
    const cols = line.split('\t');
    if (cols.length !== 3) {
      throw new FormatError(
        name,
        at,
        `expected 3 tab-separated columns (query-id, corpus-id, score), got ${cols.length}`,
      );
    }
    const [qid = '', docid = '', label = ''] = cols.map((c) => c.trim());
    for (const [field, id] of [
      ['query-id', qid],
      ['corpus-id', docid],
    ] as const) {
      const problem = idProblem(id);
      if (problem) throw new FormatError(name, at, `${field} ${problem}`);
    }
    const value = Number(label);
    if (!INTEGER.test(label) || !Number.isSafeInteger(value) || Math.abs(value) >= 2 ** 31) {
      throw new FormatError(name, at, `score ${JSON.stringify(label)} is not an integer label`);
    }
    let judged = qrels.get(qid);
    if (!judged) {
      judged = new Map();
      qrels.set(qid, judged);
    }
    if (judged.has(docid)) {
      throw new FormatError(name, at, `query ${JSON.stringify(qid)} document ${JSON.stringify(docid)} is judged twice`);
    }
    judged.set(docid, value);
  }
  if (!sawHeader)
    throw new FormatError(name, '', `empty file: expected the BEIR header ${JSON.stringify(BEIR_QRELS_HEADER)}`);
  return qrels;
}
