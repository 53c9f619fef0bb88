import { escapeBidi } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import type { Context } from '../context';

/** Serialized bodies per computed board: a board object lives until a result lands (core caches it). */
const bodies = new WeakMap<core.Leaderboard, Map<string, string>>();

function body(board: core.Leaderboard, format: 'json' | 'csv'): string {
  let forBoard = bodies.get(board);
  if (!forBoard) {
    forBoard = new Map();
    bodies.set(board, forBoard);
  }
  let text = forBoard.get(format);
  if (text === undefined) {
    if (format === 'csv') text = core.leaderboardCsv(board);
    else {
      // bidi controls in names (stored before they were refused) become visible escapes
      const rows = board.rows.map(({ resultId: _, methodId: __, ...r }) => ({
        ...r,
        method: escapeBidi(r.method),
        team: escapeBidi(r.team),
      }));
      const { benchmark, version, versions, sort, columns, total } = board;
      text = JSON.stringify({ benchmark, version, versions, sort, columns, total, rows });
    }
    forBoard.set(format, text);
  }
  return text;
}

/**
 * GET /api/leaderboard/<benchmark>.json | .csv with the page's URL parameters (`v`, `sort`, `dir`,
 * `team`, `tag`, `baseline`). With `page=N`: that page of 100 rows (the public read API, served
 * from a body cached until a result lands); without: every row the filters select (the export of
 * exactly what the page shows, across its pages), as a download.
 */
export async function handleLeaderboard(ctx: Context, parts: string[]): Promise<Response | null> {
  if (ctx.req.method !== 'GET' || parts.length !== 1) return null;
  const m = /^([a-z0-9][a-z0-9-]*[a-z0-9])\.(csv|json)$/.exec(parts[0] ?? '');
  const [, id, format] = m ?? [];
  if (!id || (format !== 'json' && format !== 'csv')) return null;
  const params = new URL(ctx.req.url).searchParams;
  const paged = params.has('page');
  const board = await core.leaderboard(
    ctx.platform,
    core.leaderboardQueryFromParams(id, (k) => params.get(k), { all: !paged }),
  );
  const headers: Record<string, string> = {
    'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
    // public data, but it changes whenever a result lands: let clients revalidate
    'cache-control': 'no-cache',
  };
  if (!paged) headers['content-disposition'] = `attachment; filename="${id}-v${board.version}-leaderboard.${format}"`;
  return new Response(body(board, format), { headers });
}
