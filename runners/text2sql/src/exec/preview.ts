import type { ExecSuccess } from './types';

/** The first rows of a result, cells cut short, for people to look at (never for scoring). */
export interface ResultPreview {
  columns: string[];
  rows: (string | number | null)[][];
  /** rows in the full result */
  total: number;
  /** columns in the full result, when the preview shows only the first ones */
  totalColumns?: number;
}

const PREVIEW_ROWS = 5;
/** a result may have up to 2000 columns (SQLite's default cap): a preview shows the first ones */
const PREVIEW_COLUMNS = 20;
const PREVIEW_CELL = 80;

function cell(v: unknown): string | number | null {
  if (v === null || typeof v === 'number') return v;
  const text = typeof v === 'string' ? v : v instanceof Uint8Array ? `<${v.length} bytes>` : String(v);
  return text.length > PREVIEW_CELL ? `${text.slice(0, PREVIEW_CELL - 1)}…` : text;
}

/**
 * At most PREVIEW_ROWS × PREVIEW_COLUMNS cells of PREVIEW_CELL characters, whatever the result.
 * Made where the rows are: in the SQL worker for results that stay there (see result-store.ts).
 */
export function previewOf(o: Pick<ExecSuccess, 'columns' | 'rows'>): ResultPreview {
  const columns = o.columns.slice(0, PREVIEW_COLUMNS);
  return {
    columns: columns.map((c) => String(cell(c))),
    rows: o.rows.slice(0, PREVIEW_ROWS).map((r) => r.slice(0, PREVIEW_COLUMNS).map(cell)),
    total: o.rows.length,
    ...(o.columns.length > columns.length ? { totalColumns: o.columns.length } : {}),
  };
}
