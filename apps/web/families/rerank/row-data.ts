import type { ExampleRow } from '../types';

/** One document of a top 10 as the view shows it: `label` from the qrels, null when unjudged. */
export interface RankedDoc {
  docid: string;
  score: number | null;
  label: number | null;
}

/** What the view reads from a re-ranking row (runners/rerank rows.ts writes it); older rows may lack fields. */
export interface QueryResult {
  query: string | null;
  ndcg: number | null;
  relevant: number | null;
  missingFromRun: boolean;
  top10: RankedDoc[];
  /** the benchmark's first-stage candidates (BM25) on this query; null when the row has none */
  firstStage: { ndcg: number | null; top10: RankedDoc[] } | null;
  /** the row's facet against the first stage: 'worse', 'better', 'same', or null */
  change: string | null;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function docs(v: unknown): RankedDoc[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((d) => {
    const o = obj(d);
    if (!o || typeof o.docid !== 'string') return [];
    return [{ docid: o.docid, score: num(o.score), label: num(o.label) }];
  });
}

export function queryResult(row: Pick<ExampleRow, 'data'>): QueryResult {
  const d = row.data;
  const first = obj(d.first_stage);
  return {
    query: typeof d.query === 'string' ? d.query : null,
    ndcg: num(d.ndcg_cut_10),
    relevant: num(d.relevant),
    missingFromRun: d.missing_from_run === true,
    top10: docs(d.top10),
    firstStage: first ? { ndcg: num(first.ndcg_cut_10), top10: docs(first.top10) } : null,
    change: typeof d.change === 'string' ? d.change : null,
  };
}

/** nDCG@10 of the submission minus the first stage's, when the row has both. */
export function ndcgChange(r: QueryResult): number | null {
  const before = r.firstStage?.ndcg ?? null;
  return r.ndcg !== null && before !== null ? r.ndcg - before : null;
}

/** "0.6433" */
export const fixed4 = (v: number | null) => (v === null ? '—' : v.toFixed(4));

/** "+0.3691", "−0.3069" (a real minus sign), "0.0000" when it rounds to nothing. */
export function signed4(v: number | null): string {
  if (v === null) return '—';
  const abs = Math.abs(v).toFixed(4);
  if (abs === '0.0000') return abs;
  return `${v > 0 ? '+' : '−'}${abs}`;
}

/** How the `change` facet's values read on the page. */
export const CHANGE_TEXT: Record<string, string> = {
  worse: 'worse than BM25 (negative flip)',
  better: 'better than BM25',
  same: 'same as BM25',
};
