/**
 * Writes the BM25 + RM3 baseline of the SciFact board: every query's BM25 candidates
 * (candidates.bm25.trec) re-scored with its RM3-expanded query (runners/rerank/src/bm25/rm3.ts,
 * Anserini defaults fbDocs 10, fbTerms 10, originalQueryWeight 0.5), as a TREC run
 * (`qid Q0 docid rank score bm25-rm3`) to benchmarks/scifact/baselines/bm25-rm3.trec, queries in the
 * order of queries.jsonl. It ranks the candidates only, as the board requires of any submission.
 * Deterministic: the same inputs give the same bytes. Prints the settings and the file's sha256.
 * Run: npx tsx runners/rerank/scripts/bm25-rm3.ts [benchmark-dir] [out-file]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byteStringAt } from '@trueboard/metrics';
import { readTrecRunFile } from '@trueboard/metrics/trec-io';
import { buildBm25Index } from '../src/bm25/index';
import { rm3Reranker } from '../src/bm25/rm3';
import { readBeirCorpus, readBeirQueries, trecRunLines } from '../src/formats/index';
import type { Candidate } from '../src/formats/types';

export const RUN_TAG = 'bm25-rm3';
export const CANDIDATES_FILE = 'candidates.bm25.trec';

/** The run file's text for the benchmark in `dir` (corpus.jsonl, queries.jsonl, candidates.bm25.trec). */
export async function bm25Rm3Run(dir: string) {
  const corpus = await readBeirCorpus(join(dir, 'corpus.jsonl'));
  const docs = new Map(Array.from(corpus, ([id, passage]) => [id, { id, ...passage }]));
  const index = buildBm25Index(docs.values());
  const queries = await readBeirQueries(join(dir, 'queries.jsonl'));
  const candidates = new Map<string, Candidate[]>();
  for (const q of await readTrecRunFile(join(dir, CANDIDATES_FILE), CANDIDATES_FILE)) {
    candidates.set(
      q.qid,
      Array.from({ length: q.docs.count }, (_, i) => ({ docid: byteStringAt(q.docs, i), score: q.scores[i] ?? 0 })),
    );
  }
  for (const qid of candidates.keys()) {
    if (!queries.has(qid)) throw new Error(`${CANDIDATES_FILE}: query '${qid}' is not in queries.jsonl`);
  }
  const rm3 = rm3Reranker(index, docs);
  const run = Array.from(queries)
    .filter(([qid]) => candidates.has(qid))
    .map(([qid, text]) => [qid, rm3.rerank(text, candidates.get(qid) ?? []).ranked] as const);
  const text = Array.from(trecRunLines(run, { tag: RUN_TAG, name: 'bm25-rm3.trec' })).join('');
  return { text, config: { bm25: index.config, rm3: rm3.config, candidates: CANDIDATES_FILE, tag: RUN_TAG } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));
  const out = process.argv[3] ?? join(dir, 'baselines', 'bm25-rm3.trec');
  const { text, config } = await bm25Rm3Run(dir);
  writeFileSync(out, text);
  const sha = createHash('sha256').update(text).digest('hex');
  process.stdout.write(`${JSON.stringify(config)}\n${out}: sha256 ${sha}\n`);
}
