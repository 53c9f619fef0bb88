import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { familyView } from '../../../families';
import { fmtCi, fmtTime, type Unit, wire } from '../../../lib/format';
import { describeHyperparameters } from '../../../lib/hyperparameters';
import { api, load } from '../../../lib/server-api';
import { Actions } from './actions';
import { Examples } from './examples';
import { LiveStatus } from './live-status';

export const dynamic = 'force-dynamic';

type Params = { id: string };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const metadata: Metadata = { title: 'Submission' };

export default async function SubmissionPage({ params }: { params: Promise<Params> }) {
  const { id } = await params;
  const caller = await api();
  // an id that is not a UUID cannot exist: the same page as an unknown one
  if (!UUID.test(id)) notFound();
  const s = await load(() => caller.submissions.get({ id }));
  const result = await caller.submissions.result({ id });
  const hyperparameters = describeHyperparameters(s.method.hyperparameters);
  const examples = result ? await caller.submissions.examples({ id, limit: 50, brief: true }) : null;
  const board = await caller.benchmarks.leaderboard({ benchmark: s.benchmark.id, version: s.datasetVersion, limit: 1 });
  const units = new Map(board.columns.map((c) => [c.key, c.unit as Unit]));
  const provenance = result?.provenance;
  const view = familyView(s.benchmark.family);

  return (
    <>
      <p className="small muted">
        <Link href={`/b/${s.benchmark.id}`}>{s.benchmark.name}</Link> › submission
      </p>
      <h1>
        {s.method.name} <span className="muted small">by {s.team.slug}</span>
        {s.isBaseline && <span className="badge baseline">baseline</span>}
      </h1>
      {s.method.description && <p className="lead">{s.method.description}</p>}
      <p className="small">
        {s.method.paperUrl && (
          <>
            <a href={s.method.paperUrl} rel="noopener noreferrer nofollow">
              paper
            </a>{' '}
            ·{' '}
          </>
        )}
        {s.method.codeUrl && (
          <>
            <a href={s.method.codeUrl} rel="noopener noreferrer nofollow">
              code
            </a>{' '}
            ·{' '}
          </>
        )}
        dataset v{s.datasetVersion}
        {hyperparameters && ` · ${hyperparameters}`}
        {s.note && ` · ${s.note}`}
      </p>

      <LiveStatus id={s.id} initial={wire(s)} />
      <Actions id={s.id} state={s.state} permissions={s.permissions} />

      {result && (
        <>
          <h2>Metrics</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Semantics</th>
                  <th scope="col" className="num">
                    Value ± 95% CI
                  </th>
                  <th scope="col" className="num">
                    Interval
                  </th>
                  <th scope="col" className="num">
                    n
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.metrics.map((m) => {
                  const unit = units.get(`${m.name}/${m.semantics}`) ?? 'ratio';
                  const shown = fmtCi(m, unit);
                  return (
                    <tr key={`${m.name}/${m.semantics}`} data-testid="metric-row">
                      <td>{m.name}</td>
                      <td>{m.semantics}</td>
                      <td className="num">{shown.text}</td>
                      <td className="num">{shown.title.replace('95% CI ', '')}</td>
                      <td className="num">{m.n}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {result.downloads.length > 0 && (
            <p className="small" data-testid="downloads">
              Download:{' '}
              {result.downloads.map((d, i) => (
                <span key={d.name}>
                  {i > 0 && ' · '}
                  <a href={`/api/submissions/${s.id}/downloads/${encodeURIComponent(d.name)}`} download>
                    {d.label}
                  </a>
                </span>
              ))}
            </p>
          )}
          <p className="small muted">
            {result.unscorable} example{result.unscorable === 1 ? '' : 's'} could not be scored
            {view.examples.unscorableHint ? ` (${view.examples.unscorableHint})` : ''} and are excluded from every
            denominator.
          </p>
          {provenance && (
            <>
              <h2>Provenance</h2>
              <dl className="kv small">
                <dt>Evaluator</dt>
                <dd>
                  {provenance.evaluator} {provenance.evaluatorVersion}
                </dd>
                <dt>Runner</dt>
                <dd>
                  {provenance.hostname} (runner {provenance.runnerVersion}, {provenance.device}
                  {provenance.hardware ? `, ${provenance.hardware}` : ''})
                </dd>
                <dt>Dataset hash</dt>
                <dd>
                  <code>{provenance.datasetHash}</code>
                </dd>
                <dt>Artifact hash</dt>
                <dd>
                  <code>{provenance.artifactHash}</code>
                </dd>
                <dt>Seed</dt>
                <dd>{provenance.seed}</dd>
                <dt>Started</dt>
                <dd>{fmtTime(provenance.startedAt)}</dd>
                <dt>Wall time</dt>
                <dd>{(provenance.wallTimeMs / 1000).toFixed(1)} s</dd>
              </dl>
            </>
          )}
          {examples && (
            <>
              <h2>Per-example results</h2>
              <Examples id={s.id} family={s.benchmark.family} initial={wire(examples)} />
            </>
          )}
        </>
      )}
    </>
  );
}
