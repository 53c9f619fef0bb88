import type { Provenance } from '@trueboard/contracts';
import { table } from '../output';
import { type Comparison, MACHINE_FIELDS } from './compare';

/** Differences listed in the terminal; `--out` holds all of them. */
const MAX_ROWS = 200;

/**
 * The verdict of a reproduction for people: `identical` or `different` first, the differing values
 * (example id or aggregate, field, stored vs local), and what was not compared — timing, which is
 * allowed to differ, and where each run happened.
 */
export function formatComparison(c: Comparison, subject: string, stored: Provenance, local: Provenance): string {
  const lines: string[] = [];
  const n = c.examples.compared;
  if (c.differences.length === 0) {
    lines.push(
      `identical: all ${count(n, 'example')} (verdicts, reasons, per-example data), ${count(c.metrics.compared, 'metric')}` +
        ` (values, intervals, n), ${count(c.breakdowns, 'breakdown group')} and the unscorable count match the stored` +
        ` result of ${subject}`,
    );
  } else {
    lines.push(
      `different: ${c.examples.differing.length} of ${count(n, 'example')} and ${c.metrics.differing.length} of` +
        ` ${count(c.metrics.compared, 'metric')} differ from the stored result of ${subject}` +
        (c.examples.differing.length ? ` (examples ${list(c.examples.differing, 20)})` : ''),
    );
    const rows = c.differences.slice(0, MAX_ROWS).map((d) => ({
      where: d.where,
      field: d.field,
      stored: show(d.stored),
      local: show(d.local),
    }));
    lines.push(table(rows));
    if (c.differences.length > MAX_ROWS)
      lines.push(`… and ${c.differences.length - MAX_ROWS} more differences (--out FILE writes all of them)`);
  }
  // provenance first, then aggregates, then per-example fields with how many examples differ
  const rank = (f: string) => (f.startsWith('provenance.') ? 0 : f.startsWith('metric ') ? 1 : 2);
  const timing = [...c.timing]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map(([f, k]) => (rank(f) === 2 ? `${f} (${k} examples)` : f));
  lines.push(
    timing.length
      ? `timing differs and is not compared: ${timing.join(', ')}`
      : 'timing is not compared (it did not differ)',
  );
  const machine = (p: Provenance) => `${p.hostname}, ${p.device}, kit ${p.runnerVersion}`;
  lines.push(
    `where it ran is not compared (${MACHINE_FIELDS.join(', ')}): stored ${machine(stored)}; here ${machine(local)}`,
  );
  return lines.join('\n');
}

const count = (k: number, noun: string) => `${k} ${noun}${k === 1 ? '' : 's'}`;

function list(ids: readonly string[], max: number): string {
  return ids.length > max ? `${ids.slice(0, max).join(', ')}, …` : ids.join(', ');
}

function show(v: unknown): string {
  // JSON, so "0" and 0 look different
  const s = v === undefined ? 'missing' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
