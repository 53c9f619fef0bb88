import type { Writable } from 'node:stream';
import { FormatError } from './format-error';
import { entriesOf, entryContexts, entryQueryId, type JsonObject } from './rankify-entries';
import { writeChunks } from './stream-write';
import type { Candidate } from './types';

/**
 * Puts a re-ranked run back into the Rankify file it came from: each entry's `ctxs` reordered as the run
 * ranks them, with the run's scores, and every other field of each ctx and entry kept as it was (key
 * order included). The run must rank exactly the entry's ctxs, no more and no fewer: silently dropping a
 * ctx would lose data, and appending it would give scores that disagree with the order. Values are those
 * of `JSON.parse`, so integers beyond 2^53 in unknown fields lose precision as they would anywhere in JS.
 */
export function rerankRankify(
  source: unknown,
  run: ReadonlyMap<string, readonly Candidate[]>,
  name = 'rankify',
): JsonObject[] {
  const entries = entriesOf(source, name);
  const covered = new Set<string>();
  const out = entries.map((entry, i) => {
    const at = `entry ${i}`;
    const qid = entryQueryId(entry, i, name);
    const ranking = run.get(qid);
    if (!ranking) throw new FormatError(name, at, `the run has no ranking for query ${JSON.stringify(qid)}`);
    covered.add(qid);
    const byId = new Map(entryContexts(entry, i, name).map(({ ctx, id }) => [id, ctx]));
    const placed = new Set<string>();
    const ctxs = ranking.map(({ docid, score }, r) => {
      const ctx = byId.get(docid);
      if (!ctx)
        throw new FormatError(
          name,
          at,
          `the run ranks ${JSON.stringify(docid)} for query ${JSON.stringify(qid)}, which is not one of its ctxs`,
        );
      if (placed.has(docid))
        throw new FormatError(
          name,
          at,
          `the run ranks ${JSON.stringify(docid)} twice for query ${JSON.stringify(qid)}`,
        );
      if (!Number.isFinite(score))
        throw new FormatError(
          name,
          at,
          `the run's score for ${JSON.stringify(docid)} at rank ${r + 1} is ${score}, not a finite number`,
        );
      placed.add(docid);
      return { ...ctx, score };
    });
    for (const id of byId.keys()) {
      if (!placed.has(id))
        throw new FormatError(
          name,
          at,
          `the run does not rank ctx ${JSON.stringify(id)} of query ${JSON.stringify(qid)}`,
        );
    }
    return { ...entry, ctxs };
  });
  for (const qid of run.keys()) {
    if (!covered.has(qid))
      throw new FormatError(name, '', `the run has query ${JSON.stringify(qid)}, which no entry has`);
  }
  return out;
}

/** Streams entries as a JSON array, one entry a line, honouring backpressure; `out` is left open. */
export async function writeRankifyJson(entries: readonly JsonObject[], out: Writable): Promise<void> {
  await writeChunks(out, rankifyChunks(entries));
}

function* rankifyChunks(entries: readonly JsonObject[]): Generator<string> {
  yield '[';
  for (let i = 0; i < entries.length; i++) yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(entries[i])}`;
  yield '\n]\n';
}

/** `rerankRankify` then `writeRankifyJson`: everything is checked before the first byte is written. */
export async function writeRerankedRankify(
  source: unknown,
  run: ReadonlyMap<string, readonly Candidate[]>,
  out: Writable,
  name = 'rankify',
): Promise<void> {
  await writeRankifyJson(rerankRankify(source, run, name), out);
}
