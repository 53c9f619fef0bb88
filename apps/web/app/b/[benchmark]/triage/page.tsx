import type { Metadata } from 'next';
import Link from 'next/link';
import { familyView } from '../../../../families';
import { api, load } from '../../../../lib/server-api';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Annotation triage' };

export default async function TriagePage({
  params,
  searchParams,
}: {
  params: Promise<{ benchmark: string }>;
  searchParams: Promise<{ v?: string }>;
}) {
  const { benchmark: id } = await params;
  const caller = await api();
  const board = await load(() => caller.benchmarks.leaderboard({ benchmark: id, limit: 1 }));
  const v = Number((await searchParams).v) || (board.versions[0]?.number ?? 1);
  const rows = await load(() => caller.corrections.triage({ benchmark: id, version: v, limit: 200 }));
  const view = familyView(board.benchmark.family).triage;
  return (
    <>
      <p className="small muted">
        <Link href={`/b/${id}`}>{board.benchmark.name}</Link> › <Link href={`/b/${id}/corrections`}>corrections</Link> ›
        triage
      </p>
      <h1>Suspicious gold on v{v}</h1>
      <p className="lead">{view.intro}</p>
      {rows.length === 0 ? (
        <p className="muted">Nothing stands out (or no system has been scored on this version yet).</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Example</th>
                <th scope="col" className="num">
                  Score
                </th>
                <th scope="col">Why</th>
                <th scope="col">{view.header}</th>
                <th scope="col">
                  <span className="skip">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.exampleId} data-testid="triage-row">
                  <td>
                    {r.exampleId}
                    <div className="small muted">{view.note(r)}</div>
                  </td>
                  <td className="num">{r.score.toFixed(2)}</td>
                  <td className="small">{r.signals.join('; ')}</td>
                  <td className="small">{view.context(r)}</td>
                  <td>
                    <Link
                      className="button secondary"
                      href={`/b/${id}/corrections?example=${encodeURIComponent(r.exampleId)}#propose`}
                    >
                      Propose a correction
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
