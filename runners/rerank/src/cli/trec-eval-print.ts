import { parseRerankMeasure, type RerankEvaluation, type RerankMeasure } from '@trueboard/metrics';

/**
 * trec_eval 9.0.8's output, line for line: `%-22s\t%s\t%6.4f` (meas_print_single.c and
 * meas_print_final.c), measures in the order of its measure table (measures.c: map, recip_rank, P,
 * recall, ndcg_cut, success) with cutoffs ascending, `-q` lines query by query before the `all` ones.
 * A measure truncated with `@k` (trec_eval's `-M k`, which applies to every measure of a run) is
 * printed under its own name, `recip_rank@10`, after the untruncated ones of its kind.
 */

const TREC_ORDER: readonly RerankMeasure['kind'][] = ['map', 'recip_rank', 'P', 'recall', 'ndcg_cut', 'success'];

/**
 * Parses `--metrics`: comma-separated trec_eval names (`ndcg_cut.10,map,recip_rank,recall.100`), a
 * bare number after a measure with a cutoff being another cutoff of it, as in trec_eval's `-m
 * ndcg_cut.5,10`. Duplicates are dropped; the result is in trec_eval's printing order.
 */
export function parseMetricsList(list: string): RerankMeasure[] {
  const byName = new Map<string, RerankMeasure>();
  let previous: RerankMeasure | undefined;
  for (const raw of list.split(',')) {
    const token = raw.trim();
    if (token === '') throw new Error(`--metrics '${list}': an empty name between commas`);
    let name = token;
    if (/^\d+(@\d+)?$/.test(token)) {
      if (!previous || previous.cutoff === null) {
        throw new Error(`--metrics '${list}': '${token}' is a cutoff, but follows no measure that takes one`);
      }
      const [cutoff, depth] = token.split('@');
      const keep = depth ?? previous.depth;
      name = `${previous.kind}.${cutoff}${keep ? `@${keep}` : ''}`;
    }
    let measure: RerankMeasure;
    try {
      measure = parseRerankMeasure(name);
    } catch (err) {
      throw new Error(`--metrics: ${err instanceof Error ? err.message : String(err)}`);
    }
    previous = measure;
    byName.set(measure.name, measure);
  }
  return [...byName.values()].sort(
    (a, b) =>
      TREC_ORDER.indexOf(a.kind) - TREC_ORDER.indexOf(b.kind) ||
      (a.depth ?? 0) - (b.depth ?? 0) ||
      (a.cutoff ?? 0) - (b.cutoff ?? 0),
  );
}

/** trec_eval's printed name: `ndcg_cut_10`, `P_5`, `map`; `recip_rank@10` for a truncated run. */
export function trecEvalName(m: Pick<RerankMeasure, 'kind' | 'cutoff' | 'depth'>): string {
  return `${m.kind}${m.cutoff === null ? '' : `_${m.cutoff}`}${m.depth === null ? '' : `@${m.depth}`}`;
}

/**
 * C's `%.<digits>f` as glibc prints it: the double's exact value rounded to nearest, an exact half to
 * even. JavaScript's toFixed takes an exact half away from zero, so 1/32 = 0.03125 would print 0.0313
 * where trec_eval prints 0.0312.
 */
export function printfFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const rounded = x.toFixed(digits);
  // only a value within rounding noise of a half can be an exact half (the exact expansion is slow)
  const scaled = Math.abs(x) * 10 ** digits;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6 * Math.max(1, scaled)) return rounded;
  // every double of magnitude above ~1e-15 has an exact expansion within 100 digits; smaller ones are no halves
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return rounded;
  const truncated = exact.slice(0, point + 1 + digits).replace(/\.$/, '');
  const last = truncated.at(-1) ?? '0';
  // an exact half: toFixed rounded it up; keep the truncated value when its last digit is even
  if (Number(last) % 2 === 1) return rounded;
  return `${x < 0 ? '-' : ''}${truncated}`;
}

/** One line of trec_eval's output. */
export function trecEvalLine(name: string, qid: string, value: number): string {
  return `${name.padEnd(22)}\t${qid}\t${printfFixed(value, 4).padStart(6)}\n`;
}

/**
 * The lines trec_eval prints for this evaluation: with `perQuery` (its `-q`), each query in the run
 * and the qrels first (in trec_eval's query order; `-c` prints none for a query missing from the
 * run), then the `all` lines.
 */
export function trecEvalLines(evaluation: RerankEvaluation, perQuery: boolean): string[] {
  const names = evaluation.measures.map((m) => trecEvalName(m));
  const lines: string[] = [];
  if (perQuery) {
    evaluation.queries.forEach((qid, qi) => {
      if (!evaluation.inRun[qi]) return;
      evaluation.measures.forEach((m, mi) => {
        lines.push(trecEvalLine(names[mi] ?? '', qid, m.perQuery[qi] ?? Number.NaN));
      });
    });
  }
  evaluation.measures.forEach((m, mi) => {
    lines.push(trecEvalLine(names[mi] ?? '', 'all', m.mean));
  });
  return lines;
}
