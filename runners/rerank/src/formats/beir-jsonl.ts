import { basename } from 'node:path';
import { FormatError } from './format-error';
import { fileLines, isBlank } from './lines';
import { idProblem, type Passage } from './types';

/**
 * Readers for BEIR's `corpus.jsonl` ({_id, title, text, metadata}) and `queries.jsonl` ({_id, text,
 * metadata}), one JSON object a line, read as a stream. Only the fields a re-ranker needs are kept:
 * `metadata` is dropped on read, for queries because it can hold the gold answer (SciFact stores its
 * evidence there), and for documents because nothing downstream uses it. Blank lines are skipped.
 */

export interface ReadFilter {
  /** keep only these ids; every line is still validated (ids, duplicates) */
  only?: ReadonlySet<string>;
  /** the name errors use for the file (default: its base name) */
  name?: string;
}

interface JsonlRecord {
  id: string;
  value: Record<string, unknown>;
}

/** Parses each line as a JSON object with a unique string `_id`; errors name the file and line. */
async function* records(path: string, name: string): AsyncGenerator<JsonlRecord & { at: string }> {
  const seen = new Map<string, number>();
  for await (const { line, number } of fileLines(path, name)) {
    if (isBlank(line)) continue;
    const at = `line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new FormatError(name, at, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError(name, at, 'expected a JSON object');
    }
    const record = value as Record<string, unknown>;
    const id = record._id;
    if (id === undefined) throw new FormatError(name, at, '"_id" is missing');
    if (typeof id !== 'string') throw new FormatError(name, at, `"_id" must be a string, got ${typeOf(id)}`);
    const problem = idProblem(id);
    if (problem) throw new FormatError(name, at, `"_id" ${problem}`);
    const first = seen.get(id);
    if (first !== undefined)
      throw new FormatError(name, at, `duplicate "_id" ${JSON.stringify(id)} (first on line ${first})`);
    seen.set(id, number);
    yield { id, value: record, at };
  }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function stringField(record: Record<string, unknown>, field: string, name: string, at: string, optional: boolean) {
  const v = record[field];
  if (v === undefined && optional) return '';
  if (typeof v !== 'string') {
    throw new FormatError(
      name,
      at,
      v === undefined ? `"${field}" is missing` : `"${field}" must be a string, got ${typeOf(v)}`,
    );
  }
  return v;
}

/**
 * `corpus.jsonl` → docid → {title, text}. A missing `title` reads as '' (some BEIR corpora omit it);
 * `text` is required. With `only`, other documents are validated but not kept, which bounds memory to
 * the candidates being re-ranked.
 */
export async function readBeirCorpus(path: string, filter: ReadFilter = {}): Promise<Map<string, Passage>> {
  const name = filter.name ?? basename(path);
  const corpus = new Map<string, Passage>();
  for await (const { id, value, at } of records(path, name)) {
    const title = stringField(value, 'title', name, at, true);
    const text = stringField(value, 'text', name, at, false);
    if (!filter.only || filter.only.has(id)) corpus.set(id, { title, text });
  }
  return corpus;
}

/**
 * `queries.jsonl` → query id → text. Only `text` is kept: `metadata` (gold evidence in SciFact) and any
 * other field never leave this function, so they cannot reach a model or a submitter.
 */
export async function readBeirQueries(path: string, filter: ReadFilter = {}): Promise<Map<string, string>> {
  const name = filter.name ?? basename(path);
  const queries = new Map<string, string>();
  for await (const { id, value, at } of records(path, name)) {
    const text = stringField(value, 'text', name, at, false);
    if (!filter.only || filter.only.has(id)) queries.set(id, text);
  }
  return queries;
}
