import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SubmissionError } from '@trueboard/contracts';
import { ByteStringIndex, byteStringAt, type RunQuery } from '@trueboard/metrics';
import { readTrecRunFile, TrecFormatError } from '@trueboard/metrics/trec-io';

/** What a submitted run is checked against: the dataset's query ids and, optionally, the candidates. */
export interface RunRules {
  queries: ReadonlySet<string>;
  /** query id → the documents a submission may rank for it; null: any document */
  candidates: ReadonlyMap<string, ReadonlySet<string>> | null;
}

/**
 * The line of the `occurrence`-th (1-based) entry of query `qid` (and document `docid`, when given).
 * Only called to name the line of an error: the compact reader keeps no line numbers.
 */
export async function lineOf(
  path: string,
  qid: string,
  docid: string | undefined,
  occurrence = 1,
): Promise<number | null> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  let seen = 0;
  for await (const line of lines) {
    number++;
    const cols = line.trim().split(/\s+/);
    if (cols[0] === qid && (docid === undefined || cols[2] === docid) && ++seen === occurrence) {
      lines.close();
      return number;
    }
  }
  return null;
}

async function problem(
  path: string,
  name: string,
  at: { qid: string; docid?: string; occurrence?: number },
  message: string,
): Promise<SubmissionError> {
  const line = await lineOf(path, at.qid, at.docid, at.occurrence);
  return new SubmissionError(`${name}${line === null ? '' : ` line ${line}`}: ${message}`);
}

/**
 * Reads a submitted TREC run and rejects what cannot be scored honestly: malformed lines and
 * non-finite scores (the reader names the line), query ids the dataset does not have, a document
 * ranked twice for one query, and documents outside a query's candidates when the benchmark has them.
 */
export async function readSubmittedRun(path: string, name: string, rules: RunRules): Promise<RunQuery[]> {
  let run: RunQuery[];
  try {
    run = await readTrecRunFile(path, name);
  } catch (err) {
    if (err instanceof TrecFormatError) throw new SubmissionError(err.message);
    throw err;
  }
  if (run.length === 0)
    throw new SubmissionError(`${name}: the run is empty (expected 'qid Q0 docid rank score tag' lines)`);
  for (const q of run) {
    if (!rules.queries.has(q.qid)) {
      throw await problem(
        path,
        name,
        { qid: q.qid },
        `query '${q.qid}' is not a query of this dataset (queries.jsonl)`,
      );
    }
    const index = new ByteStringIndex(q.docs);
    if (index.duplicate >= 0) {
      const docid = byteStringAt(q.docs, index.duplicate);
      throw await problem(
        path,
        name,
        { qid: q.qid, docid, occurrence: 2 },
        `query '${q.qid}' ranks document '${docid}' twice; each document may appear once per query`,
      );
    }
    const allowed = rules.candidates?.get(q.qid);
    if (!rules.candidates) continue;
    for (let i = 0; i < q.docs.count; i++) {
      const docid = byteStringAt(q.docs, i);
      if (!allowed?.has(docid)) {
        throw await problem(
          path,
          name,
          { qid: q.qid, docid },
          `query '${q.qid}' document '${docid}' is not among the query's candidates; re-rank the candidates, do not add documents`,
        );
      }
    }
  }
  return run;
}
