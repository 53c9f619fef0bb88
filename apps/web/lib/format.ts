/** Display helpers: numbers right-aligned by the tables, fixed decimals, CIs as "71.2 ± 1.4". */

export type Unit = 'percent' | 'ratio' | 'count' | 'ms';

const DECIMALS: Record<Unit, number> = { percent: 1, ratio: 3, count: 0, ms: 1 };

export function fmt(value: number | null | undefined, unit: Unit = 'ratio'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(DECIMALS[unit]);
}

/** "71.2 ± 1.4": the half-width of the interval (Wilson intervals are slightly asymmetric; the exact bounds go in a tooltip). */
export function fmtCi(m: { value: number; ciLow: number | null; ciHigh: number | null }, unit: Unit = 'ratio') {
  if (m.ciLow === null || m.ciHigh === null) return { text: fmt(m.value, unit), title: 'no confidence interval' };
  const half = (m.ciHigh - m.ciLow) / 2;
  return {
    text: `${fmt(m.value, unit)} ± ${fmt(half, unit)}`,
    title: `95% CI [${fmt(m.ciLow, unit)}, ${fmt(m.ciHigh, unit)}]`,
  };
}

export function fmtDate(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d) : d;
  return date.toISOString().slice(0, 10);
}

export function fmtTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d) : d;
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** A server value as the browser's tRPC client sees it (Dates become ISO strings): for client props. */
export function wire<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
