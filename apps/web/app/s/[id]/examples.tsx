'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { familyView } from '../../../families';
import { errorMessage, trpc } from '../../../lib/trpc';

type Page = Awaited<ReturnType<typeof trpc.submissions.examples.query>>;
type Filter = Parameters<typeof trpc.submissions.examples.query>[0];

const PAGE = 50;
const VERDICTS = [
  ['', 'all'],
  ['correct', 'correct'],
  ['wrong', 'wrong'],
  ['unscorable', 'unscorable'],
] as const;

const verdictText = (v: number | null) =>
  v === null ? 'unscorable' : v >= 1 ? 'correct' : v <= 0 ? 'wrong' : v.toFixed(2);

/**
 * Per-example results with verdict and breakdown filters, paging, and a detail view per example;
 * the family's view supplies its columns, facet names and the detail.
 */
export function Examples({ id, family, initial }: { id: string; family: string; initial: Page }) {
  const view = familyView(family).examples;
  const [verdict, setVerdict] = useState<'' | 'correct' | 'wrong' | 'unscorable'>('');
  const [group, setGroup] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  // a facet is "field:value"; the value may itself hold a colon
  const cut = group.indexOf(':');
  const [field, value] =
    cut > 0 ? [group.slice(0, cut) as Filter['field'], group.slice(cut + 1)] : [undefined, undefined];
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
        brief: true,
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
                <optgroup key={f} label={view.facetLabel(f)}>
                  {facets
                    .filter((x) => x.field === f)
                    .map((x) => (
                      <option key={`${f}:${x.value}`} value={`${f}:${x.value}`}>
                        {view.facetValue?.(f, x.value) ?? x.value} ({x.n})
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
      {view.FacetSummary && (
        <view.FacetSummary
          facets={facets}
          filter={(f, v) => {
            setGroup(`${f}:${v}`);
            setOffset(0);
          }}
        />
      )}
      {q.error && <p className="notice error">{errorMessage(q.error)}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Example</th>
              {view.lead.map((c) => (
                <th key={c.key} scope="col" className={c.className}>
                  {c.header}
                </th>
              ))}
              <th scope="col">Verdict</th>
              <th scope="col" className="hide-sm">
                Reason
              </th>
              {view.trail.map((c) => (
                <th key={c.key} scope="col" className={c.className}>
                  {c.header}
                </th>
              ))}
              <th scope="col">
                <span className="skip">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => {
              const isOpen = open === r.exampleId;
              return (
                <Fragment key={r.exampleId}>
                  <tr data-testid="example-row">
                    <td>{r.exampleId}</td>
                    {view.lead.map((c) => (
                      <td key={c.key} className={c.className}>
                        {c.cell(r)}
                      </td>
                    ))}
                    <td className={r.verdict === null ? 'muted' : r.verdict >= 1 ? 'state-finished' : 'state-failed'}>
                      {verdictText(r.verdict)}
                    </td>
                    <td className="small hide-sm">{r.reason ?? ''}</td>
                    {view.trail.map((c) => (
                      <td key={c.key} className={c.className}>
                        {c.cell(r)}
                      </td>
                    ))}
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
                      <td colSpan={4 + view.lead.length + view.trail.length}>
                        <div data-testid="example-detail">
                          <view.Detail row={r} />
                        </div>
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
