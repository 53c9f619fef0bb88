import type { DownloadContext, DownloadRow, FamilyDownload, StoredExample } from '@trueboard/contracts';
import { z } from 'zod';
import { FormatError } from './formats/format-error';
import { trecRunLines } from './formats/trec-run-write';
import { MAX_STORED_RANKING, RankedDoc } from './rows';

/*
 * What a re-ranking result can be downloaded as: the ranking a submitted model wrote, stored with
 * each row (`ranking`), as a TREC run or as Rankify JSON. A run-file submission offers neither (its
 * rows keep no ranking: the submitter has the file).
 */

const Ranking = z.array(RankedDoc).max(MAX_STORED_RANKING);
const CHUNK = 1 << 16;

/** A row's stored ranking, or null when it has none (a run file's row, or one of an older evaluator). */
function rankingOf(row: StoredExample): z.infer<typeof Ranking> | null {
  const parsed = Ranking.safeParse(row.data.ranking);
  return parsed.success ? parsed.data : null;
}

function hasRanking(row: StoredExample): boolean {
  return rankingOf(row) !== null;
}

/** Every row's ranking; a row without one breaks the download off, naming it. */
async function* rankings(rows: AsyncIterable<DownloadRow>, name: string) {
  for await (const row of rows) {
    const ranking = rankingOf(row);
    if (!ranking) throw new FormatError(name, `query ${JSON.stringify(row.id)}`, 'the stored row holds no ranking');
    yield { row, ranking };
  }
}

/** The run's tag: the method's name with each run of whitespace as `_` (a TREC column holds none). */
export function runTag(method: string): string {
  return method.trim().replace(/\s+/g, '_') || 'trueboard';
}

/**
 * The rows as a TREC run, `qid Q0 docid rank score tag`, through the run writer (which checks every
 * line: ids, finite scores that never increase down a query). Queries come in the rows' order; a query
 * the model ranked nothing for has no line, as trec_eval -c expects (it counts 0).
 */
export async function* trecRunDownload(rows: AsyncIterable<DownloadRow>, tag: string): AsyncGenerator<string> {
  let buffer = '';
  for await (const { row, ranking } of rankings(rows, 'run')) {
    const candidates = ranking.map(([docid, score]) => ({ docid, score }));
    for (const line of trecRunLines([[row.id, candidates]], { tag })) buffer += line;
    if (buffer.length >= CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/**
 * The rows as Rankify pre-retrieved JSON, laid out as writeRankifyJson lays it (one entry a line):
 * `[{query_id, question, ctxs: [{id, score}]}]`, ctxs in the ranking's order. `has_answer` is left
 * out, not guessed: in Rankify it means the passage contains an answer string (answer matching),
 * which a BEIR benchmark does not define, and the qrels' relevance labels are not written in its
 * place (they are judgments, not answer matches, and the file would carry the benchmark's gold for
 * every candidate). `answers` is left out for the same reason. Rankify reads both as absent.
 */
export async function* rankifyDownload(rows: AsyncIterable<DownloadRow>): AsyncGenerator<string> {
  let buffer = '[';
  let first = true;
  for await (const { row, ranking } of rankings(rows, 'rankify')) {
    const question = typeof row.data.query === 'string' ? row.data.query : '';
    const ctxs = ranking.map(([id, score]) => ({ id, score }));
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify({ query_id: row.id, question, ctxs })}`;
    first = false;
    if (buffer.length >= CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  yield `${buffer}\n]\n`;
}

/** The family's downloads (FamilyModule.downloads). */
export const rerankDownloads: readonly FamilyDownload[] = [
  {
    name: 'run.trec',
    label: 're-ranked run (TREC)',
    mediaType: 'text/plain; charset=utf-8',
    fileName: (id) => `${id}.run.trec`,
    available: hasRanking,
    write: (rows, context: DownloadContext) => trecRunDownload(rows, runTag(context.method)),
  },
  {
    name: 'rankify.json',
    label: 'Rankify JSON',
    mediaType: 'application/json',
    fileName: (id) => `${id}.rankify.json`,
    available: hasRanking,
    write: (rows) => rankifyDownload(rows),
  },
];
