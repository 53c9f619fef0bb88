/**
 * Writes the top-100 BM25 candidates of every SciFact test query as a TREC run
 * (`qid Q0 docid rank score bm25-flat`) to benchmarks/scifact/candidates.bm25.trec, queries in file
 * order. Deterministic: the same inputs give the same bytes. Prints the settings (for provenance) and
 * the file's sha256.
 * Run: npx tsx runners/rerank/scripts/bm25-candidates.ts [benchmark-dir] [out-file]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBm25Index, searchBm25 } from '../src/bm25/index';
import { readBeirCorpus, readBeirQueries, trecRunLines } from '../src/formats/index';

export const CANDIDATES_PER_QUERY = 100;
export const RUN_TAG = 'bm25-flat';

/** The run file's text for the benchmark in `dir` (corpus.jsonl, queries.jsonl). */
export async function bm25CandidatesRun(dir: string, depth = CANDIDATES_PER_QUERY) {
  const corpus = await readBeirCorpus(join(dir, 'corpus.jsonl'));
  const index = buildBm25Index(Array.from(corpus, ([id, passage]) => ({ id, ...passage })));
  const queries = await readBeirQueries(join(dir, 'queries.jsonl'));
  const run = Array.from(queries, ([qid, text]) => [qid, searchBm25(index, text, depth)] as const);
  const text = Array.from(trecRunLines(run, { tag: RUN_TAG, name: 'candidates.bm25.trec' })).join('');
  return { text, config: { ...index.config, depth, tag: RUN_TAG } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));
  const out = process.argv[3] ?? join(dir, 'candidates.bm25.trec');
  const { text, config } = await bm25CandidatesRun(dir);
  writeFileSync(out, text);
  const sha = createHash('sha256').update(text).digest('hex');
  process.stdout.write(`${JSON.stringify(config)}\n${out}: sha256 ${sha}\n`);
}
