import { escapeBidi } from '@trueboard/contracts';
import type { Leaderboard } from './leaderboard';

/** Leaderboard rows as CSV: exactly the shown columns, numbers with fixed decimals (p-values: 4 significant digits). */
export function leaderboardCsv(board: Leaderboard): string {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  // user text starting like a formula is not run by spreadsheets (CSV injection)
  // and bidi controls stored before they were refused show as visible escapes
  const text = (raw: string) => {
    const v = escapeBidi(raw);
    return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  };
  // tie_test / tie_p: the test that linked (or separated) this entry and the one ranked directly above it
  const head = [
    'rank',
    'group',
    'tied',
    'method',
    'team',
    'baseline',
    'submitted_at',
    'unscorable',
    'tie_test',
    'tie_p',
  ];
  // the family's columns (method hyperparameters) come after "unscorable" on the page
  for (const c of board.extraColumns) head.push(c.key);
  for (const c of board.columns) head.push(c.key, `${c.key} ci_low`, `${c.key} ci_high`, `${c.key} n`);
  const lines = [head.map(quote).join(',')];
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : v.toFixed(4));
  for (const r of board.rows) {
    const cells = [
      String(r.rank),
      String(r.group),
      String(r.tied),
      text(r.method),
      text(r.team),
      String(r.isBaseline),
      r.submittedAt.toISOString(),
      String(r.unscorable),
      r.tie?.test ?? '',
      r.tie?.p === null || r.tie?.p === undefined ? '' : r.tie.p.toPrecision(4),
    ];
    for (const c of board.extraColumns) {
      const v = r.extra[c.key];
      cells.push(v === null || v === undefined ? '' : typeof v === 'string' ? text(v) : String(v));
    }
    for (const c of board.columns) {
      const m = r.metrics[c.key];
      cells.push(num(m?.value), num(m?.ciLow), num(m?.ciHigh), m ? String(m.n) : '');
    }
    lines.push(cells.map(quote).join(','));
  }
  return `${lines.join('\n')}\n`;
}
