import type { Leaderboard } from '@trueboard/api';
import type { BoardColumn, FamilyView } from './types';

/** A hyperparameter as a board cell, when the view has no rendering of its own. */
function cellText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/**
 * The columns a board adds after the generic ones: the columns its family module declares (their
 * values arrive on each row's `extra`), each rendered by the view's column of the same key when it
 * has one, then the view's other columns.
 */
export function boardColumns(board: Pick<Leaderboard, 'extraColumns'>, view: FamilyView): BoardColumn[] {
  const own = new Map(view.board.columns.map((c) => [c.key, c]));
  const declared = board.extraColumns.map(
    (c): BoardColumn =>
      own.get(c.key) ?? {
        key: c.key,
        header: c.label,
        className: 'num hide-sm',
        cell: (r) => cellText(r.extra[c.key]),
      },
  );
  const keys = new Set(declared.map((c) => c.key));
  return [...declared, ...view.board.columns.filter((c) => !keys.has(c.key))];
}
