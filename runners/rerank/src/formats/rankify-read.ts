import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { FormatError, openFailure } from './format-error';
import { describe, entriesOf, entryContexts, entryQueryId } from './rankify-entries';
import type { Passage, Qrels, Run } from './types';

/** The default for `maxBytes`: the file is parsed whole, and JSON.parse needs several times its size. */
export const RANKIFY_DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export const ANSWER_MATCH_NOTE =
  'Labels derived from Rankify has_answer: whether a passage contains an answer string (answer matching), not human relevance judgments.';

/** Relevance labels read from `has_answer`, with the flag a report must carry when it uses them. */
export interface AnswerMatchLabels {
  kind: 'answer-match';
  note: typeof ANSWER_MATCH_NOTE;
  /** query id → ctx id → 1 (has_answer true) or 0 */
  qrels: Qrels;
}

export interface RankifyData {
  /** query id → question; `answers` are not kept here (they are the gold a model must not see) */
  queries: Map<string, string>;
  /** query id → its ctxs as candidates, in the file's order */
  run: Run;
  /** ctx id → {title, text} for ctxs that carry text (title '' when absent); the first occurrence wins */
  passages: Map<string, Passage>;
  /** present when `labels: true` was asked */
  labels: AnswerMatchLabels | null;
}

export interface RankifyReadOptions {
  /** derive answer-matching labels from `has_answer` (then required on every ctx) */
  labels?: boolean;
  /** the name errors use (default: the file's base name) */
  name?: string;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads and parses a Rankify JSON file. The file is parsed whole, so one over `maxBytes` is refused
 * before any of it is read.
 */
export async function loadRankifyJson(
  path: string,
  maxBytes = RANKIFY_DEFAULT_MAX_BYTES,
  name = basename(path),
): Promise<unknown> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new FormatError(name, '', openFailure(err));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FormatError(name, '', 'not a regular file');
    if (info.size > maxBytes) {
      throw new FormatError(
        name,
        '',
        `is ${info.size} bytes, over the ${maxBytes}-byte limit for Rankify JSON (it is parsed whole); raise the limit or split the file`,
      );
    }
    const bytes = await handle.readFile();
    // The file may have grown between stat and read; the limit is about what is parsed.
    if (bytes.length > maxBytes)
      throw new FormatError(name, '', `grew over the ${maxBytes}-byte limit while being read`);
    const text = bytes.toString('utf8');
    try {
      return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (err) {
      throw new FormatError(name, '', `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A ctx score: a finite number, or a numeric string (DPR-style files write scores as strings). */
function scoreOf(v: unknown, name: string, at: string, field: string): number {
  const score = typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : v;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw new FormatError(
      name,
      at,
      `"${field}" must be a finite number, got ${typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : describe(v)}`,
    );
  }
  return score;
}

/** Turns a parsed Rankify array into queries, a run, passages and (when asked) answer-matching labels. */
export function parseRankify(value: unknown, options: RankifyReadOptions & { name: string }): RankifyData {
  const { name } = options;
  const queries = new Map<string, string>();
  const run: Run = new Map();
  const passages = new Map<string, Passage>();
  const qrels: Qrels = new Map();
  const firstEntry = new Map<string, number>();
  entriesOf(value, name).forEach((entry, i) => {
    const at = `entry ${i}`;
    const qid = entryQueryId(entry, i, name);
    const first = firstEntry.get(qid);
    if (first !== undefined)
      throw new FormatError(name, at, `query id ${JSON.stringify(qid)} is also the id of entry ${first}`);
    firstEntry.set(qid, i);
    if (typeof entry.question !== 'string') {
      throw new FormatError(
        name,
        at,
        `"question" must be a string, got ${entry.question === undefined ? 'nothing' : describe(entry.question)}`,
      );
    }
    queries.set(qid, entry.question);
    const labels = new Map<string, number>();
    run.set(
      qid,
      entryContexts(entry, i, name).map(({ ctx, id }, j) => {
        const score = scoreOf(ctx.score, name, at, `ctxs[${j}].score`);
        const hasAnswer = ctx.has_answer;
        if (hasAnswer !== undefined && typeof hasAnswer !== 'boolean') {
          throw new FormatError(name, at, `"ctxs[${j}].has_answer" must be true or false, got ${describe(hasAnswer)}`);
        }
        if (options.labels) {
          if (hasAnswer === undefined)
            throw new FormatError(name, at, `"ctxs[${j}].has_answer" is missing, and labels were asked for`);
          labels.set(id, hasAnswer ? 1 : 0);
        }
        for (const field of ['title', 'text'] as const) {
          const v = ctx[field];
          if (v !== undefined && v !== null && typeof v !== 'string') {
            throw new FormatError(name, at, `"ctxs[${j}].${field}" must be a string, got ${describe(v)}`);
          }
        }
        if (typeof ctx.text === 'string' && !passages.has(id)) {
          passages.set(id, { title: typeof ctx.title === 'string' ? ctx.title : '', text: ctx.text });
        }
        return { docid: id, score };
      }),
    );
    if (options.labels) qrels.set(qid, labels);
  });
  return {
    queries,
    run,
    passages,
    labels: options.labels ? { kind: 'answer-match', note: ANSWER_MATCH_NOTE, qrels } : null,
  };
}

/** Reads a Rankify pre-retrieved JSON file; see `parseRankify`. */
export async function readRankify(
  path: string,
  options: RankifyReadOptions & { maxBytes?: number } = {},
): Promise<RankifyData> {
  const name = options.name ?? basename(path);
  return parseRankify(await loadRankifyJson(path, options.maxBytes, name), { ...options, name });
}
