/** The first rows of a query result (as the evaluator previews them), with the full row count. */
export interface ResultPreview {
  columns?: string[];
  rows?: (string | number | null)[][];
  total?: number;
}

export function ResultTable({ preview }: { preview: ResultPreview }) {
  const rows = preview.rows ?? [];
  return (
    <>
      <div className="table-wrap">
        <table className="small">
          <thead>
            <tr>
              {(preview.columns ?? []).map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: result columns may repeat names
                <th key={i}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: result rows have no identity
              <tr key={i}>
                {r.map((cell, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                  <td key={j} className={typeof cell === 'number' ? 'num' : undefined}>
                    {cell === null ? <em className="muted">NULL</em> : String(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">
        {preview.total !== undefined && rows.length < preview.total
          ? `first ${rows.length} of ${preview.total} rows`
          : `${preview.total ?? rows.length} rows`}
      </p>
    </>
  );
}
