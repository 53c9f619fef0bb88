import type { Metadata } from 'next';
import Link from 'next/link';
import { AutoRefresh } from '../../components/auto-refresh';
import { fmtDuration, fmtTime } from '../../lib/format';
import { api } from '../../lib/server-api';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Queue and runners' };

export default async function QueuePage() {
  const q = await (await api()).system.queue();
  return (
    <>
      <h1>Queue and runners</h1>
      <AutoRefresh seconds={5} />
      <h2>Queued ({q.queued.length})</h2>
      {q.queued.length === 0 ? (
        <p className="muted">Nothing is waiting.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Position
                </th>
                <th scope="col">Family</th>
                <th scope="col">Submission</th>
                <th scope="col">Benchmark</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Waiting
                </th>
              </tr>
            </thead>
            <tbody>
              {q.queued.map((r) => (
                <tr key={r.runId} data-testid="queued-row">
                  <td className="num">{r.position}</td>
                  <td>{r.family}</td>
                  <td>
                    <Link href={`/s/${r.submissionId}`}>{r.method}</Link>{' '}
                    {r.team && <span className="muted">({r.team})</span>}
                  </td>
                  <td>{r.benchmark}</td>
                  <td>
                    {r.kind}
                    {r.attempt > 1 ? `, attempt ${r.attempt}` : ''}
                  </td>
                  <td className="num">{fmtDuration(r.waitingSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Running ({q.running.length})</h2>
      {q.running.length === 0 ? (
        <p className="muted">Nothing is running.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Submission</th>
                <th scope="col">Benchmark</th>
                <th scope="col">Runner</th>
                <th scope="col" className="num">
                  Progress
                </th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {q.running.map((r) => (
                <tr key={r.runId}>
                  <td>
                    <Link href={`/s/${r.submissionId}`}>{r.method}</Link>
                  </td>
                  <td>{r.benchmark}</td>
                  <td>{r.runner ?? '—'}</td>
                  <td className="num">
                    {Math.round(r.progress * 100)}% <span className="small muted">{r.progressMessage}</span>
                  </td>
                  <td>{fmtTime(r.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Runners online ({q.runners.length})</h2>
      {q.runners.length === 0 ? (
        <p className="muted">
          No runner has checked in during the last 90 seconds. Start one with <code>trueboard runner</code> (see the
          README).
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Device</th>
                <th scope="col">Families</th>
                <th scope="col">Version</th>
                <th scope="col">Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {q.runners.map((r) => (
                <tr key={r.id} data-testid="runner-row">
                  <td>{r.hostname}</td>
                  <td>{r.device}</td>
                  <td>{r.families.join(', ')}</td>
                  <td>{r.version}</td>
                  <td>{fmtTime(r.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Recent failures</h2>
      {q.failures.length === 0 ? (
        <p className="muted">No failures.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Submission</th>
                <th scope="col">Benchmark</th>
                <th scope="col">Category</th>
                <th scope="col">Message</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {q.failures.map((f) => (
                <tr key={f.submissionId}>
                  <td>
                    <Link href={`/s/${f.submissionId}`}>{f.method}</Link>
                  </td>
                  <td>{f.benchmark}</td>
                  <td>{f.category}</td>
                  <td className="small">{f.message}</td>
                  <td>{fmtTime(f.failedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
