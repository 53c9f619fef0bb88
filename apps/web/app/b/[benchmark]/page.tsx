import { TRPCError } from '@trpc/server';
import { leaderboardQueryFromParams } from '@trueboard/api';
import type { Metadata } from 'next';
import Link from 'next/link';
import { AutoSubmit } from '../../../components/auto-submit';
import { familyView } from '../../../families';
import { boardColumns } from '../../../families/board-columns';
import { fmt, fmtCi, fmtDate, type Unit } from '../../../lib/format';
import { api, load } from '../../../lib/server-api';
import { tieText } from '../../../lib/tie';
import { ScoreChart, SlopeChart } from './charts';

export const dynamic = 'force-dynamic';

type Search = Record<string, string | string[] | undefined>;
type Params = { benchmark: string };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: (await params).benchmark };
}

/** The page's URL with some parameters changed (undefined removes one). */
function hrefWith(id: string, search: Search, change: Record<string, string | undefined>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    const s = first(v);
    if (s !== undefined && s !== '' && !(k in change)) q.set(k, s);
  }
  for (const [k, v] of Object.entries(change)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return `/b/${id}${qs ? `?${qs}` : ''}`;
}

export default async function LeaderboardPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Search>;
}) {
  const { benchmark: id } = await params;
  const search = await searchParams;
  const caller = await api();
  const query = leaderboardQueryFromParams(id, (k) => first(search[k]));
  const board = await load(async () => {
    try {
      return await caller.benchmarks.leaderboard(query);
    } catch (err) {
      // a stale or hand-edited sort in a shared URL falls back to the default order
      if (err instanceof TRPCError && err.code === 'BAD_REQUEST' && query.sort) {
        return caller.benchmarks.leaderboard({ ...query, sort: undefined, dir: undefined });
      }
      throw err;
    }
  });
  const { benchmark, columns, rows } = board;
  const primary = columns[0];
  const sort = board.sort;
  const exportQuery = hrefWith(id, search, { page: undefined }).split('?')[1];
  const page = Math.floor((query.offset ?? 0) / (query.limit ?? 100)) + 1;
  const pages = Math.max(1, Math.ceil(board.total / (query.limit ?? 100)));

  // the slope chart compares the shown version with its predecessor (ranks on the primary column)
  const other = board.versions.find((v) => v.number === board.version - 1);
  const previous =
    other && primary
      ? await caller.benchmarks.leaderboard({ benchmark: id, version: other.number, limit: 100_000 })
      : null;
  const current = previous
    ? await caller.benchmarks.leaderboard({ benchmark: id, version: board.version, limit: 100_000 })
    : null;
  const slope =
    previous && current
      ? current.rows.flatMap((r) => {
          const before = previous.rows.find((x) => x.submissionId === r.submissionId);
          return before ? [{ label: `${r.method} (${r.team})`, from: before.rank, to: r.rank }] : [];
        })
      : [];
  const view = familyView(benchmark.family);
  const extra = boardColumns(board, view);

  return (
    <>
      <p className="small muted">
        <Link href="/">Benchmarks</Link> › {view.label}
      </p>
      <h1>{benchmark.name}</h1>
      <p className="lead">{benchmark.description}</p>
      <p className="small">
        <Link href={`/b/${id}/corrections`}>Corrections</Link> ·{' '}
        <Link href={`/b/${id}/triage?v=${board.version}`}>Triage</Link> ·{' '}
        <Link href={`/b/${id}/versions/${board.version}`}>Download v{board.version}</Link>
        {board.version > 1 && (
          <>
            {' '}
            ·{' '}
            <Link href={`/b/${id}/impact?from=${board.version - 1}&to=${board.version}`}>
              Impact of v{board.version}
            </Link>
          </>
        )}{' '}
        · <Link href={`/submit?benchmark=${id}`}>Submit</Link>
      </p>

      <form className="inline" method="get" action={`/b/${id}`} aria-label="Leaderboard options">
        <label>
          Dataset version
          <select name="v" defaultValue={String(board.version)}>
            {board.versions.map((v) => (
              <option key={v.number} value={v.number}>
                v{v.number} ({fmtDate(v.createdAt)}){v.status !== 'released' ? ` — ${v.status}` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <input name="team" defaultValue={first(search.team) ?? ''} placeholder="any team" size={14} />
        </label>
        <label>
          Tag
          <input name="tag" defaultValue={first(search.tag) ?? ''} placeholder="any tag" size={12} />
        </label>
        <label>
          Baselines
          <select name="baseline" defaultValue={first(search.baseline) ?? 'all'}>
            <option value="all">shown</option>
            <option value="only">only baselines</option>
            <option value="exclude">hidden</option>
          </select>
        </label>
        {sort && <input type="hidden" name="sort" value={sort.key} />}
        {sort && first(search.dir) && <input type="hidden" name="dir" value={sort.dir} />}
        <button type="submit">Apply</button>
        <AutoSubmit />
        <span className="small">
          Export: <a href={`/api/leaderboard/${id}.csv${exportQuery ? `?${exportQuery}` : ''}`}>CSV</a> ·{' '}
          <a href={`/api/leaderboard/${id}.json${exportQuery ? `?${exportQuery}` : ''}`}>JSON</a>
        </span>
      </form>

      {rows.length === 0 ? (
        <p className="notice">
          No scored public submissions{board.total === 0 ? '' : ' match these filters'} on v{board.version}.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="board" aria-describedby="board-caption">
            <caption
              id="board-caption"
              className="small muted"
              style={{ captionSide: 'bottom', textAlign: 'left', padding: '0.5rem' }}
            >
              Ranked by {primary?.label} ({primary?.semantics}) on v{board.version}; {board.total} entr
              {board.total === 1 ? 'y' : 'ies'}. A tie group (shaded, ≈N) is a chain of adjacent entries that the paired
              test on their per-example results cannot tell apart (p ≥ 0.05: exact McNemar for right/wrong verdicts, a
              sign-flip permutation test for graded scores); where there is no paired data, overlapping 95% intervals.
              Each p compares an entry with the one ranked directly above it.
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Rank
                </th>
                <th scope="col">Method</th>
                <th scope="col">Team</th>
                {columns.map((c) => {
                  const active = sort?.key === c.key;
                  const better = c.higherIsBetter ? 'desc' : 'asc';
                  const next = active ? (sort?.dir === 'desc' ? 'asc' : 'desc') : better;
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      className="num"
                      aria-sort={active ? (sort?.dir === 'desc' ? 'descending' : 'ascending') : undefined}
                    >
                      <Link href={hrefWith(id, search, { sort: c.key, dir: next, page: undefined })}>
                        {c.label}
                        {c.semantics !== 'default' ? ` (${c.semantics})` : ''}
                        {active ? (sort?.dir === 'desc' ? ' ↓' : ' ↑') : ''}
                      </Link>
                    </th>
                  );
                })}
                <th scope="col" className="num hide-sm">
                  Unscorable
                </th>
                {extra.map((c) => (
                  <th key={c.key} scope="col" className={c.className}>
                    {c.header}
                  </th>
                ))}
                <th scope="col" className="hide-sm">
                  Date
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.submissionId} className={r.tied ? 'tied' : undefined} data-testid="board-row">
                  <td className="num">
                    {r.rank}
                    {r.tied && (
                      <span
                        className="badge tie"
                        title={`tie group ${r.group}${r.tie ? `; ${tieText(r.tie).long}` : ''}`}
                      >
                        ≈{r.group}
                      </span>
                    )}
                    {r.tie && tieText(r.tie).short && (
                      <span className="badge tie-test" title={tieText(r.tie).long} data-testid="tie-test">
                        <span aria-hidden="true">{tieText(r.tie).short}</span>
                        <span className="sr-only">{tieText(r.tie).long}</span>
                      </span>
                    )}
                  </td>
                  <td>
                    <Link href={`/s/${r.submissionId}`}>{r.method}</Link>
                    {r.isBaseline && <span className="badge baseline">baseline</span>}
                    {r.tags.map((t) => (
                      <span className="badge" key={t}>
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>{r.team}</td>
                  {columns.map((c) => {
                    const m = r.metrics[c.key];
                    const shown = m ? fmtCi(m, c.unit as Unit) : null;
                    return (
                      <td key={c.key} className="num" title={shown?.title}>
                        {shown ? shown.text : '—'}
                      </td>
                    );
                  })}
                  <td className="num hide-sm">{r.unscorable}</td>
                  {extra.map((c) => (
                    <td key={c.key} className={c.className}>
                      {c.cell(r)}
                    </td>
                  ))}
                  <td className="hide-sm">{fmtDate(r.submittedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {page > 1 && <Link href={hrefWith(id, search, { page: String(page - 1) })}>← Previous</Link>}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages && <Link href={hrefWith(id, search, { page: String(page + 1) })}>Next →</Link>}
        </nav>
      )}

      {primary && rows.length > 0 && (
        <section aria-labelledby="chart-title">
          <h2 id="chart-title">
            {primary.label} with 95% intervals (v{board.version})
          </h2>
          <ScoreChart
            unit={primary.unit}
            rows={rows.flatMap((r) => {
              const m = r.metrics[primary.key];
              return m ? [{ label: r.method, value: m.value, low: m.ciLow ?? m.value, high: m.ciHigh ?? m.value }] : [];
            })}
          />
        </section>
      )}
      {slope.length > 0 && other && (
        <section aria-labelledby="slope-title">
          <h2 id="slope-title">
            Rank changes from v{other.number} to v{board.version}
          </h2>
          <SlopeChart from={`v${other.number}`} to={`v${board.version}`} rows={slope} />
        </section>
      )}
      {view.board.charts.map((Chart, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the slot list is static per family
        <Chart key={i} board={board} />
      ))}
      <p className="small muted">
        {fmt(board.total, 'count')} public entries · versions:{' '}
        {board.versions.map((v) => (
          <span key={v.number}>
            <Link href={hrefWith(id, search, { v: String(v.number), page: undefined })}>v{v.number}</Link>{' '}
          </span>
        ))}
      </p>
    </>
  );
}
