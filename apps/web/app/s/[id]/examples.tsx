'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { ResultTable } from '../../../components/result-table';
import { errorMessage, trpc } from '../../../lib/trpc';

type Page = Awaited<ReturnType<typeof trpc.submissions.examples.query>>;
type Row = Page['rows'][number];
type Preview = { columns: string[]; rows: (string | number | null)[][]; total: number };

const PAGE = 50;
const VERDICTS = [
  ['', 'all'],
  ['correct', 'correct'],
  ['wrong', 'wrong'],
  ['unscorable', 'unscorable'],
] as const;

const verdictText = (v: number | null) =>
  v === null ? 'unscorable' : v >= 1 ? 'correct' : v <= 0 ? 'wrong' : v.toFixed(2);

function asPreview(v: unknown): Preview | null {
  if (!v || typeof v !== 'object' || !('rows' in v) || !('columns' in v)) return null;
  return v as Preview;
}

function ResultPreview({ title, preview }: { title: string; preview: Preview | null }) {
  return (
    <div>
      <h4 style={{ margin: '0.4rem 0' }}>{title}</h4>
      {preview ? <ResultTable preview={preview} /> : <p className="small muted">no result</p>}
    </div>
  );
}

function Detail({ row }: { row: Row }) {
  const d = row.data as Record<string, unknown>;
  const text = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
  return (
    <div data-testid="example-detail">
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
        <ResultPreview title="Gold result" preview={asPreview(d.gold_preview)} />
        <ResultPreview title="Predicted result" preview={asPreview(d.pred_preview)} />
      </div>
    </div>
  );
}

/** Per-example results with verdict and breakdown filters, paging, and a detail view per example. */
export function Examples({ id, initial }: { id: string; initial: Page }) {
  const [verdict, setVerdict] = useState<'' | 'correct' | 'wrong' | 'unscorable'>('');
  const [group, setGroup] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const [field, value] = group ? (group.split(':', 2) as ['db_id' | 'difficulty', string]) : [undefined, undefined];
  const first = !verdict && !group && offset === 0;
  const q = useQuery({
    queryKey: ['examples', id, verdict, group, offset],
    queryFn: () =>
      trpc.submissions.examples.query({
        id,
        verdict: verdict || undefined,
        field,
        value,
        offset,
        limit: PAGE,
      }),
    initialData: first ? initial : undefined,
    placeholderData: keepPreviousData,
  });
  const page = q.data ?? initial;
  const facets = initial.facets;
  const fields = [...new Set(facets.map((f) => f.field))];
  return (
    <section aria-label="Per-example results">
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Verdict
          <select
            value={verdict}
            onChange={(e) => {
              setVerdict(e.target.value as typeof verdict);
              setOffset(0);
            }}
          >
            {VERDICTS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {fields.length > 0 && (
          <label>
            Breakdown
            <select
              value={group}
              onChange={(e) => {
                setGroup(e.target.value);
                setOffset(0);
              }}
            >
              <option value="">all</option>
              {fields.map((f) => (
                <optgroup key={f} label={f === 'db_id' ? 'database' : f}>
                  {facets
                    .filter((x) => x.field === f)
                    .map((x) => (
                      <option key={`${f}:${x.value}`} value={`${f}:${x.value}`}>
                        {x.value} ({x.n})
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
        )}
        <span className="small muted" data-testid="example-count">
          {page.total} example{page.total === 1 ? '' : 's'}
        </span>
      </form>
      {q.error && <p className="notice error">{errorMessage(q.error)}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Example</th>
              <th scope="col">Database</th>
              <th scope="col">Verdict</th>
              <th scope="col" className="hide-sm">
                Reason
              </th>
              <th scope="col" className="num hide-sm">
                Pred ms
              </th>
              <th scope="col">
                <span className="skip">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => {
              const d = r.data as Record<string, unknown>;
              const isOpen = open === r.exampleId;
              return (
                <Fragment key={r.exampleId}>
                  <tr data-testid="example-row">
                    <td>{r.exampleId}</td>
                    <td>{typeof d.db_id === 'string' ? d.db_id : '—'}</td>
                    <td className={r.verdict === null ? 'muted' : r.verdict >= 1 ? 'state-finished' : 'state-failed'}>
                      {verdictText(r.verdict)}
                    </td>
                    <td className="small hide-sm">{r.reason ?? ''}</td>
                    <td className="num hide-sm">{typeof d.pred_ms === 'number' ? d.pred_ms.toFixed(1) : '—'}</td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        aria-expanded={isOpen}
                        aria-controls={`example-${r.exampleId}`}
                        onClick={() => setOpen(isOpen ? null : r.exampleId)}
                      >
                        {isOpen ? 'Hide' : 'Details'}
                      </button>
                    </td>
                  </tr>
                  {isOpen && (
                    <tr id={`example-${r.exampleId}`}>
                      <td colSpan={6}>
                        <Detail row={r} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Example pages">
        <button
          type="button"
          className="secondary"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          ← Previous
        </button>
        <span>
          {page.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={offset + PAGE >= page.total}
          onClick={() => setOffset(offset + PAGE)}
        >
          Next →
        </button>
      </nav>
    </section>
  );
}
