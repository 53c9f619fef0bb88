import type { ExampleRow } from '../types';
import { RankedList } from './ranked-list';
import { CHANGE_TEXT, fixed4, ndcgChange, queryResult, signed4 } from './row-data';

/**
 * One query opened in the per-example table: its text, the first stage's (BM25) top 10 next to the
 * submission's, each document with its judgment, and nDCG@10 before → after.
 */
export function QueryDetail({ row }: { row: ExampleRow }) {
  const r = queryResult(row);
  const change = ndcgChange(r);
  return (
    <>
      <p>
        <strong>Query:</strong> {r.query ?? '—'}
      </p>
      <p data-testid="ndcg-change">
        <strong>nDCG@10:</strong>{' '}
        {r.firstStage ? (
          <>
            {fixed4(r.firstStage.ndcg)} (BM25) → {fixed4(r.ndcg)} (re-ranked), {signed4(change)}
            {r.change && CHANGE_TEXT[r.change] ? ` — ${CHANGE_TEXT[r.change]}` : ''}
          </>
        ) : (
          <>
            {fixed4(r.ndcg)} <span className="small muted">(no first-stage candidates recorded for this query)</span>
          </>
        )}
      </p>
      {r.relevant !== null && (
        <p className="small muted">
          {r.relevant} document{r.relevant === 1 ? '' : 's'} judged relevant for this query.
        </p>
      )}
      {r.missingFromRun && (
        <p className="notice">The run has no line for this query: it scores 0, as every qrels query counts.</p>
      )}
      <div className="two">
        {r.firstStage && (
          <RankedList title="BM25 top 10" docs={r.firstStage.top10} empty="BM25 retrieved nothing for this query." />
        )}
        <RankedList title="Re-ranked top 10" docs={r.top10} empty="The run ranks no document for this query." />
      </div>
      {row.reason && (
        <p className="small">
          <strong>Reason:</strong> {row.reason}
        </p>
      )}
    </>
  );
}
