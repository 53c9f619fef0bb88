import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { familyView } from '../../../families';
import { fmtTime } from '../../../lib/format';
import { api, load, me } from '../../../lib/server-api';
import { ValidationBadge } from '../validation-badge';
import { ReviewActions } from './review-actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Correction' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function CorrectionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const caller = await api();
  const c = await load(() => caller.corrections.get({ id }));
  const user = await me();
  const { Evidence } = familyView((await caller.benchmarks.get({ id: c.benchmarkId })).family).corrections;
  return (
    <>
      <p className="small muted">
        <Link href={`/b/${c.benchmarkId}`}>{c.benchmarkId}</Link> ›{' '}
        <Link href={`/b/${c.benchmarkId}/corrections`}>corrections</Link> › example {c.exampleId}
      </p>
      <h1>
        Correction of example {c.exampleId}{' '}
        <span
          className={`state state-${c.state === 'released' || c.state === 'approved' ? 'finished' : c.state === 'proposed' ? 'queued' : 'failed'}`}
          data-testid="correction-state"
        >
          {c.state}
        </span>
      </h1>
      <dl className="kv">
        <dt>Category</dt>
        <dd>{c.category.replace('_', ' ')}</dd>
        <dt>Proposed by</dt>
        <dd>
          {c.proposer}, against v{c.version}, {fmtTime(c.createdAt)}
        </dd>
        <dt>Validation</dt>
        <dd>
          <ValidationBadge check={c.validationStatus} />
          {c.validationStatus.status === 'validating' && (
            <span className="muted small"> (a runner of the benchmark's family executes the new gold)</span>
          )}
          {c.validationStatus.status === 'unvalidated' && (
            <span className="muted small"> (nobody executed the new gold: review it knowing that)</span>
          )}
        </dd>
        <dt>Quorum</dt>
        <dd>
          {c.reviews.filter((r) => r.decision === 'approve').length} of {c.quorum} approval{c.quorum === 1 ? '' : 's'}
        </dd>
      </dl>
      <h2>Rationale</h2>
      <p style={{ whiteSpace: 'pre-wrap' }}>{c.rationale}</p>
      {c.evidence && (
        <>
          <h2>Evidence</h2>
          <pre>{c.evidence}</pre>
        </>
      )}
      <h2>Changed fields</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(c.fields).map(([f, v]) => (
              <tr key={f}>
                <td>{f}</td>
                <td>
                  <code>{c.before[f]}</code>
                </td>
                <td>
                  <code>{v}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Evidence details={c.validation?.details ?? {}} />
      {user && (
        <ReviewActions
          id={c.id}
          state={c.state}
          isProposer={c.yours}
          invalid={c.validationStatus.status === 'invalid'}
        />
      )}
      <h2>History</h2>
      <ol data-testid="history">
        {c.history.map((h) => (
          <li key={h.id}>
            {fmtTime(h.createdAt)} — <strong>{h.action.replace('correction.', '')}</strong> by {h.actor ?? 'system'}
            {h.after && typeof h.after === 'object' && 'comment' in h.after && h.after.comment
              ? `: “${String(h.after.comment)}”`
              : ''}
          </li>
        ))}
      </ol>
    </>
  );
}
