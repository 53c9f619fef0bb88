import { byteStringAt, compareByteStrings, type RunQuery } from '@trueboard/metrics';

/** A document of a ranking as the rows show it: `label` from the qrels, null when unjudged. */
export interface ShownDoc {
  docid: string;
  score: number;
  label: number | null;
}

/** The indices of a run query's documents in trec_eval's order: score descending, ties by docid descending as bytes. */
export function trecOrder(q: RunQuery): number[] {
  const order = Array.from({ length: q.docs.count }, (_, i) => i);
  order.sort((a, b) => {
    const d = (q.scores[b] ?? 0) - (q.scores[a] ?? 0);
    return d !== 0 ? d : compareByteStrings(q.docs, b, q.docs, a);
  });
  return order;
}

/** The first `k` documents of a run query in trec_eval's order, labelled from the query's judgments. */
export function topDocs(q: RunQuery, k: number, judged: ReadonlyMap<string, number>): ShownDoc[] {
  return trecOrder(q)
    .slice(0, k)
    .map((i) => {
      const docid = byteStringAt(q.docs, i);
      return { docid, score: q.scores[i] ?? 0, label: judged.get(docid) ?? null };
    });
}
