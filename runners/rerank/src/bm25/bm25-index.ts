import { analyze } from './analyzer';
import { type Bm25Config, bm25Config } from './config';
import { luceneLength } from './lucene-norms';

export interface Bm25Document {
  id: string;
  title?: string;
  text: string;
}

/** The postings of one term: parallel arrays of document positions and term frequencies. */
export interface Postings {
  docs: Int32Array;
  tfs: Int32Array;
}

/** An in-memory inverted index over one field, with the statistics Lucene's BM25Similarity uses. */
export interface Bm25Index {
  config: Bm25Config;
  ids: readonly string[];
  /** The quantized length of each document's field, as Lucene's scorer sees it. */
  lengths: Float64Array;
  /** Documents with at least one term (Lucene's `docCount`). */
  docCount: number;
  /** Average field length: sum of exact lengths / docCount (Lucene's `sumTotalTermFreq / docCount`). */
  avgdl: number;
  postings: ReadonlyMap<string, Postings>;
}

/** The text the flat variant indexes: title and text as one field (Pyserini's BEIR "flat"). */
export const flatContents = (doc: Bm25Document): string => (doc.title ? `${doc.title} ${doc.text}` : doc.text);

export function buildBm25Index(docs: Iterable<Bm25Document>, params: { k1?: number; b?: number } = {}): Bm25Index {
  const config = bm25Config(params);
  const ids: string[] = [];
  const seen = new Set<string>();
  const exactLengths: number[] = [];
  const lists = new Map<string, { docs: number[]; tfs: number[] }>();
  for (const doc of docs) {
    if (typeof doc.id !== 'string' || doc.id.length === 0) {
      throw new Error(`bm25: document ${ids.length + 1}: missing "id"`);
    }
    if (/\s/.test(doc.id)) throw new Error(`bm25: document "${doc.id}": "id" must not contain whitespace (TREC runs)`);
    if (seen.has(doc.id)) throw new Error(`bm25: duplicate document id "${doc.id}"`);
    seen.add(doc.id);
    const position = ids.length;
    ids.push(doc.id);
    const terms = analyze(flatContents(doc));
    exactLengths.push(terms.length);
    const tf = new Map<string, number>();
    for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1);
    for (const [term, count] of tf) {
      let list = lists.get(term);
      if (!list) {
        list = { docs: [], tfs: [] };
        lists.set(term, list);
      }
      list.docs.push(position);
      list.tfs.push(count);
    }
  }
  const docCount = exactLengths.filter((n) => n > 0).length;
  const total = exactLengths.reduce((a, n) => a + n, 0);
  const postings = new Map<string, Postings>();
  for (const [term, list] of lists) {
    postings.set(term, { docs: Int32Array.from(list.docs), tfs: Int32Array.from(list.tfs) });
  }
  return {
    config,
    ids,
    lengths: Float64Array.from(exactLengths, luceneLength),
    docCount,
    avgdl: docCount === 0 ? 0 : total / docCount,
    postings,
  };
}
