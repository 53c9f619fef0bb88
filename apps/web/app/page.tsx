import Link from 'next/link';
import { familyView } from '../families';
import { fmt, fmtDate } from '../lib/format';
import { api } from '../lib/server-api';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const summaries = await (await api()).benchmarks.summaries();
  const families = [...new Set(summaries.map((s) => s.family))];
  return (
    <>
      <h1>Benchmarks</h1>
      <p className="lead">
        Standardized evaluations of text-to-SQL systems, re-rankers and LoRA-variant adapters against versioned
        benchmark data whose gold annotations are corrected in the open. Every score has a 95% confidence interval and
        per-example results; entries that cannot be told apart share a rank group.
      </p>
      {summaries.length === 0 && <p className="notice">No benchmarks are registered yet.</p>}
      {families.map((family) => (
        <section key={family} aria-labelledby={`family-${family}`}>
          <h2 id={`family-${family}`}>{familyView(family).label}</h2>
          <div className="grid">
            {summaries
              .filter((s) => s.family === family)
              .map((s) => (
                <article className="card" key={s.id}>
                  <h3>
                    <Link href={`/b/${s.id}`}>{s.name}</Link>
                  </h3>
                  <p className="small muted">{s.description}</p>
                  <dl className="kv small">
                    <dt>Leader</dt>
                    <dd>
                      {s.leader ? (
                        <>
                          <Link href={`/s/${s.leader.submissionId}`}>{s.leader.method}</Link> ({s.leader.team}){' '}
                          <span className="num">
                            {fmt(s.leader.value, 'percent')} {s.primaryMetric}
                            {s.leader.semantics && s.leader.semantics !== 'default' ? ` (${s.leader.semantics})` : ''}
                          </span>
                        </>
                      ) : (
                        'no scored submissions yet'
                      )}
                    </dd>
                    <dt>Submissions</dt>
                    <dd>{s.submissions}</dd>
                    <dt>Dataset version</dt>
                    <dd>{s.latestVersion ? `v${s.latestVersion}` : '—'}</dd>
                    <dt>Last update</dt>
                    <dd>{fmtDate(s.updatedAt)}</dd>
                  </dl>
                </article>
              ))}
          </div>
        </section>
      ))}
    </>
  );
}
