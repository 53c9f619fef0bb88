import type { Metadata } from 'next';
import Link from 'next/link';
import { fmt } from '../../../../lib/format';
import { api, load } from '../../../../lib/server-api';
import { SlopeChart } from '../charts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Impact of a release' };

export default async function ImpactPage({
  params,
  searchParams,
}: {
  params: Promise<{ benchmark: string }>;
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { benchmark: id } = await params;
  const q = await searchParams;
  const caller = await api();
  const board = await load(() => caller.benchmarks.leaderboard({ benchmark: id, limit: 1 }));
  const latest = board.versions[0]?.number ?? 1;
  const to = Number(q.to) || latest;
  const from = Number(q.from) || Math.max(1, to - 1);
  const im = await load(() => caller.corrections.impact({ benchmark: id, from, to }));
  const corr = (name: string, t: typeof im.spearman) =>
    t
      ? `${name} = ${t.value.toFixed(3)} (p = ${t.p.toFixed(3)}, ${t.method} test, n = ${t.n})`
      : `${name}: needs two systems`;
  return (
    <>
      <p className="small muted">
        <Link href={`/b/${id}`}>{board.benchmark.name}</Link> › impact
      </p>
      <h1>
        What v{to} did to the ranking (from v{from})
      </h1>
      <p className="lead">
        {im.metric ? `${im.metric.label} (${im.metric.semantics})` : 'Primary metric'} of every system scored on both
        versions.{' '}
        <span data-testid="correlations">
          {corr('Spearman ρ', im.spearman)}; {corr('Kendall τ-b', im.kendallTauB)}.
        </span>
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">System</th>
              <th scope="col" className="num">
                v{from}
              </th>
              <th scope="col" className="num">
                v{to}
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col" className="num">
                Relative
              </th>
              <th scope="col" className="num">
                Rank
              </th>
              <th scope="col">Flipped examples</th>
            </tr>
          </thead>
          <tbody>
            {im.systems.map((s) => {
              const flips = im.flips.find((f) => f.submissionId === s.submissionId)?.flipped ?? [];
              return (
                <tr key={s.submissionId} data-testid="impact-row">
                  <td>
                    <Link href={`/s/${s.submissionId}`}>{s.method}</Link> <span className="muted">({s.team})</span>
                  </td>
                  <td className="num">{fmt(s.scoreFrom, 'percent')}</td>
                  <td className="num">{fmt(s.scoreTo, 'percent')}</td>
                  <td className="num">
                    {s.change >= 0 ? '+' : ''}
                    {fmt(s.change, 'percent')}
                  </td>
                  <td className="num">{s.relativeChange === null ? '—' : `${(100 * s.relativeChange).toFixed(1)}%`}</td>
                  <td className="num">
                    {s.rankFrom} → {s.rankTo}{' '}
                    {s.rankChange > 0 ? `↑${s.rankChange}` : s.rankChange < 0 ? `↓${-s.rankChange}` : ''}
                  </td>
                  <td className="small">
                    {flips.length === 0
                      ? 'none'
                      : flips.map((f) => `${f.exampleId} (${f.from ?? '∅'}→${f.to ?? '∅'})`).join(', ')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {im.systems.length > 0 && (
        <section aria-labelledby="slope">
          <h2 id="slope">Ranks on both versions</h2>
          <SlopeChart
            from={`v${from}`}
            to={`v${to}`}
            rows={im.systems.map((s) => ({ label: `${s.method} (${s.team})`, from: s.rankFrom, to: s.rankTo }))}
          />
        </section>
      )}
    </>
  );
}
