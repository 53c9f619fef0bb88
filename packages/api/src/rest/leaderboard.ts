import * as core from '@trueboard/core';
import type { Context } from '../context';
import { json } from './respond';

/**
 * GET /api/leaderboard/<benchmark>.csv | .json with the page's URL parameters: every row the
 * page's filters and sort select (all pages), with the columns the page shows.
 */
export async function handleLeaderboardExport(ctx: Context, parts: string[]): Promise<Response | null> {
  if (ctx.req.method !== 'GET' || parts.length !== 1) return null;
  const m = /^([a-z0-9][a-z0-9-]*[a-z0-9])\.(csv|json)$/.exec(parts[0] ?? '');
  if (!m?.[1] || !m[2]) return null;
  const params = new URL(ctx.req.url).searchParams;
  const board = await core.leaderboard(
    ctx.platform,
    core.leaderboardQueryFromParams(m[1], (k) => params.get(k), { all: true }),
  );
  const name = `${m[1]}-v${board.version}-leaderboard.${m[2]}`;
  const disposition = { 'content-disposition': `attachment; filename="${name}"` };
  if (m[2] === 'json') {
    const rows = board.rows.map(({ resultId: _, methodId: __, ...r }) => r);
    return json(
      { benchmark: board.benchmark.id, version: board.version, sort: board.sort, columns: board.columns, rows },
      200,
      disposition,
    );
  }
  return new Response(core.leaderboardCsv(board), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store', ...disposition },
  });
}
