import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { fmtBytes, fmtDate } from '../../../../../lib/format';
import { api, downloadOrigin, load } from '../../../../../lib/server-api';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dataset version' };

export default async function VersionPage({ params }: { params: Promise<{ benchmark: string; n: string }> }) {
  const { benchmark: id, n } = await params;
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) notFound();
  const caller = await api();
  const v = await load(() => caller.corrections.version({ benchmark: id, version: number }));
  const diff = await caller.corrections.diff({ benchmark: id, version: number });
  // user content: linked on the download origin when one is configured
  const base = `${await downloadOrigin()}/api/benchmarks/${encodeURIComponent(id)}/versions/${number}`;
  const annotationFiles = v.files.filter((f) => !/^(database|dev_databases)\//.test(f.path));
  const databases = v.files.length - annotationFiles.length;
  return (
    <>
      <p className="small muted">
        <Link href={`/b/${id}`}>{id}</Link> › <Link href={`/b/${id}/corrections`}>corrections</Link> › v{number}
      </p>
      <h1>
        {id} v{number}
      </h1>
      <p className="lead">
        Released {fmtDate(v.createdAt)}
        {v.parent
          ? ` from v${v.parent}, with ${v.changedExamples.length} corrected example${v.changedExamples.length === 1 ? '' : 's'}`
          : ' (the original data)'}
        . Content hash <code>{v.contentHash.slice(0, 16)}…</code>
      </p>
      <p>
        <Link href={`/b/${id}?v=${number}`}>Leaderboard on v{number}</Link>
        {v.parent && (
          <>
            {' '}
            · <Link href={`/b/${id}/impact?from=${v.parent}&to=${number}`}>impact on the ranking</Link> ·{' '}
            <a href={`${base}/diff.json`}>diff.json</a>
          </>
        )}{' '}
        · <a href={`${base}/changelog.md`}>changelog.md</a>
      </p>
      <h2>Download (original layout)</h2>
      <ul data-testid="version-files">
        {annotationFiles.map((f) => (
          <li key={f.path}>
            <a href={`${base}/files/${f.path.split('/').map(encodeURIComponent).join('/')}`}>{f.path}</a>{' '}
            <span className="small muted">{fmtBytes(f.size)}</span>
          </li>
        ))}
      </ul>
      {databases > 0 && (
        <p className="small muted">
          {databases} database files (unchanged by corrections) —{' '}
          <code>
            trueboard export annotations --benchmark {id} --version {number} --out DIR --with-databases
          </code>
        </p>
      )}
      {diff.changes.length > 0 && (
        <>
          <h2>Changes from v{diff.parent}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Example</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                  <th scope="col">Correction</th>
                </tr>
              </thead>
              <tbody>
                {diff.changes.map((ch) => (
                  <tr key={ch.exampleId}>
                    <td>{ch.exampleId}</td>
                    <td>
                      {Object.entries(ch.before).map(([f, val]) => (
                        <div key={f}>
                          <span className="muted small">{f}: </span>
                          <code>{val}</code>
                        </div>
                      ))}
                    </td>
                    <td>
                      {Object.entries(ch.after).map(([f, val]) => (
                        <div key={f}>
                          <span className="muted small">{f}: </span>
                          <code>{val}</code>
                        </div>
                      ))}
                    </td>
                    <td>
                      {ch.corrections.map((c) => (
                        <Link key={c.id} href={`/c/${c.id}`}>
                          {c.category.replace('_', ' ')}
                        </Link>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>Changelog</h2>
      <pre data-testid="changelog">{v.changelog || 'The original release.'}</pre>
    </>
  );
}
