import { CorrectionCategory } from '@trueboard/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { fmtDate, wire } from '../../../../lib/format';
import { api, load, me } from '../../../../lib/server-api';
import { ValidationBadge } from '../../../c/validation-badge';
import { ProposeForm } from './propose-form';
import { ReleaseButton } from './release-button';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Corrections' };

type Params = { benchmark: string };

export default async function CorrectionsPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<{ example?: string }>;
}) {
  const { benchmark: id } = await params;
  const { example } = await searchParams;
  const caller = await api();
  const board = await load(() => caller.benchmarks.leaderboard({ benchmark: id, limit: 1 }));
  const list = await caller.corrections.list({ benchmark: id });
  const user = await me();
  const approved = list.filter((c) => c.state === 'approved').length;
  const latest = board.versions[0]?.number ?? 1;
  return (
    <>
      <p className="small muted">
        <Link href={`/b/${id}`}>{board.benchmark.name}</Link> › corrections
      </p>
      <h1>Corrections of the gold annotations</h1>
      <p className="lead">
        Anyone signed in can propose a change to an example's gold, with a rationale. Reviewers of the benchmark's team
        approve or reject (never their own); a maintainer releases the approved ones as a new dataset version, and every
        submission is re-scored on it. Every step is in an append-only audit log.
      </p>
      <p>
        <Link href={`/b/${id}/triage?v=${latest}`}>Triage: suspicious gold on v{latest}</Link> ·{' '}
        {board.versions.map((v) => (
          <span key={v.number}>
            <Link href={`/b/${id}/versions/${v.number}`}>v{v.number}</Link>{' '}
          </span>
        ))}
        {latest > 1 && (
          <>
            · <Link href={`/b/${id}/impact?from=${latest - 1}&to=${latest}`}>impact of v{latest}</Link>
          </>
        )}
      </p>
      {user && approved > 0 && <ReleaseButton benchmark={id} approved={approved} />}
      <h2>All corrections ({list.length})</h2>
      {list.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Example</th>
                <th scope="col">Fields</th>
                <th scope="col">Category</th>
                <th scope="col">State</th>
                <th scope="col">Validation</th>
                <th scope="col">Proposed by</th>
                <th scope="col">Against</th>
                <th scope="col">Date</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-testid="correction-row">
                  <td>
                    <Link href={`/c/${c.id}`}>{c.exampleId}</Link>
                  </td>
                  <td>{Object.keys(c.fields).join(', ')}</td>
                  <td>{c.category}</td>
                  <td
                    className={`state state-${c.state === 'released' || c.state === 'approved' ? 'finished' : c.state === 'proposed' ? 'queued' : 'failed'}`}
                  >
                    {c.state}
                  </td>
                  <td>
                    <ValidationBadge check={c.validationStatus} />
                  </td>
                  <td>{c.proposer}</td>
                  <td>v{c.version}</td>
                  <td>{fmtDate(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2 id="propose">Propose a correction</h2>
      {user ? (
        <ProposeForm
          benchmark={id}
          family={board.benchmark.family}
          initialExample={example}
          categories={wire(CorrectionCategory.options)}
        />
      ) : (
        <p>
          <Link href={`/signin?next=/b/${id}/corrections${example ? `?example=${example}` : ''}`}>Sign in</Link> to
          propose a correction.
        </p>
      )}
    </>
  );
}
