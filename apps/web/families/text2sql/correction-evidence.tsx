import { type ResultPreview, ResultTable } from './result-table';

/** One side of a proposal as the SQL validator ran it: the query, then its result or its error. */
type Side = ResultPreview & { sql?: string; error?: string };

function asSide(v: unknown): Side | undefined {
  return v && typeof v === 'object' ? (v as Side) : undefined;
}

function ResultSide({ title, side }: { title: string; side: Side | undefined }) {
  return (
    <div>
      <h3>{title}</h3>
      <pre>{side?.sql ?? '—'}</pre>
      {side?.error ? <p className="notice error">{side.error}</p> : side?.rows ? <ResultTable preview={side} /> : null}
    </div>
  );
}

/** The old and the proposed gold query executed on the example's database by a runner after the correction was proposed. */
export function CorrectionEvidence({ details }: { details: Record<string, unknown> }) {
  const old = asSide(details.old);
  const proposed = asSide(details.new);
  if (!old && !proposed) return null;
  return (
    <>
      <h2>Old and new gold results</h2>
      <p className="small muted">
        Executed read-only on the example's database by a runner after the correction was proposed
        {details.same_result_bird === true ? ' — the results are the same as sets.' : '.'}
      </p>
      <div className="two">
        <ResultSide title="Current gold" side={old} />
        <ResultSide title="Proposed gold" side={proposed} />
      </div>
    </>
  );
}
