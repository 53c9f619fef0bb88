import type { RankedDoc } from './row-data';

/**
 * A judgment as text, a symbol and a colour, so it reads without colour too: graded labels above 0
 * are relevant (nDCG's gain), 0 and below judged not relevant, no label unjudged.
 */
function Judgment({ label }: { label: number | null }) {
  if (label === null)
    return (
      <span className="muted" style={{ fontStyle: 'italic' }} data-label="unjudged">
        <span aria-hidden="true">? </span>unjudged
      </span>
    );
  if (label > 0)
    return (
      <span style={{ color: 'var(--ok)', fontWeight: 600 }} data-label="relevant">
        <span aria-hidden="true">✓ </span>relevant ({label})
      </span>
    );
  return (
    <span style={{ color: 'var(--bad)' }} data-label="not-relevant">
      <span aria-hidden="true">✗ </span>not relevant ({label})
    </span>
  );
}

/** One ranked top 10 (the first stage's or the submission's) with each document's judgment. */
export function RankedList({ title, docs, empty }: { title: string; docs: RankedDoc[]; empty: string }) {
  return (
    <section aria-label={title}>
      <h4 style={{ margin: '0.4rem 0' }}>{title}</h4>
      {docs.length === 0 ? (
        <p className="small muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="small">
            <thead>
              <tr>
                <th scope="col" className="num">
                  Rank
                </th>
                <th scope="col">Document</th>
                <th scope="col">Judgment</th>
                <th scope="col" className="num">
                  Score
                </th>
              </tr>
            </thead>
            <tbody>
              {docs.map((d, i) => (
                <tr key={d.docid} data-testid="ranked-doc">
                  <td className="num">{i + 1}</td>
                  <td>
                    <code>{d.docid}</code>
                  </td>
                  <td>
                    <Judgment label={d.label} />
                  </td>
                  <td className="num">{d.score === null ? '—' : String(d.score)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
