import type { ExampleRow } from '../types';
import { type ResultPreview, ResultTable } from './result-table';

function asPreview(v: unknown): ResultPreview | null {
  if (!v || typeof v !== 'object' || !('rows' in v) || !('columns' in v)) return null;
  return v as ResultPreview;
}

function Result({ title, preview }: { title: string; preview: ResultPreview | null }) {
  return (
    <div>
      <h4 style={{ margin: '0.4rem 0' }}>{title}</h4>
      {preview ? <ResultTable preview={preview} /> : <p className="small muted">no result</p>}
    </div>
  );
}

/** One text-to-SQL example: question, evidence, gold and predicted SQL, and both result previews. */
export function ExampleDetail({ row }: { row: ExampleRow }) {
  const d = row.data;
  const text = (k: string) => {
    const v = d[k];
    return typeof v === 'string' ? v : null;
  };
  return (
    <>
      {text('question') && (
        <p>
          <strong>Question:</strong> {text('question')}
        </p>
      )}
      {text('evidence') && (
        <p>
          <strong>Evidence:</strong> {text('evidence')}
        </p>
      )}
      {row.reason && (
        <p>
          <strong>Reason:</strong> {row.reason}
        </p>
      )}
      <div className="two">
        <div>
          <h4 style={{ margin: '0.4rem 0' }}>Gold SQL</h4>
          <pre>{text('gold_sql') ?? '—'}</pre>
        </div>
        <div>
          <h4 style={{ margin: '0.4rem 0' }}>Predicted SQL</h4>
          <pre>{text('pred_sql') ?? '(no prediction)'}</pre>
        </div>
        <Result title="Gold result" preview={asPreview(d.gold_preview)} />
        <Result title="Predicted result" preview={asPreview(d.pred_preview)} />
      </div>
    </>
  );
}
