/**
 * Names of the re-ranking measures, in trec_eval's spelling: `ndcg_cut.10`, `map`, `recip_rank`, `P.5`,
 * `recall.100`, `success.1`. A `@k` suffix evaluates that measure on the run truncated to its top k
 * documents, as trec_eval's `-M k` does for every measure at once: `recip_rank@10` is MRR@10.
 */
export type RerankMeasureKind = 'ndcg_cut' | 'map' | 'recip_rank' | 'P' | 'recall' | 'success';

export interface RerankMeasure {
  /** Canonical name, e.g. `ndcg_cut.10` or `recip_rank@10`. */
  name: string;
  kind: RerankMeasureKind;
  /** The cutoff of `ndcg_cut`, `P`, `recall` and `success`; null for `map` and `recip_rank`. */
  cutoff: number | null;
  /** Documents per query considered (trec_eval `-M`); null = all. */
  depth: number | null;
}

const WITH_CUTOFF: readonly RerankMeasureKind[] = ['ndcg_cut', 'P', 'recall', 'success'];
const WITHOUT_CUTOFF: readonly RerankMeasureKind[] = ['map', 'recip_rank'];

function positiveInt(text: string, what: string, name: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new RangeError(`measure '${name}': ${what} '${text}' must be a positive integer`);
  }
  return Number(text);
}

export function parseRerankMeasure(name: string): RerankMeasure {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  const depth = at < 0 ? null : positiveInt(name.slice(at + 1), 'depth', name);
  const dot = base.indexOf('.');
  const kindText = dot < 0 ? base : base.slice(0, dot);
  const kind = [...WITH_CUTOFF, ...WITHOUT_CUTOFF].find((k) => k === kindText);
  if (!kind) {
    const known = [...WITH_CUTOFF.map((k) => `${k}.<k>`), ...WITHOUT_CUTOFF].join(', ');
    throw new RangeError(`unknown measure '${name}': expected one of ${known}, optionally with @<depth>`);
  }
  let cutoff: number | null = null;
  if (WITH_CUTOFF.includes(kind)) {
    if (dot < 0) throw new RangeError(`measure '${name}' needs a cutoff, e.g. '${kind}.10'`);
    cutoff = positiveInt(base.slice(dot + 1), 'cutoff', name);
  } else if (dot >= 0) {
    throw new RangeError(`measure '${name}' takes no cutoff (use '${kind}@<depth>' to truncate the run)`);
  }
  const canonical = `${kind}${cutoff === null ? '' : `.${cutoff}`}${depth === null ? '' : `@${depth}`}`;
  return { name: canonical, kind, cutoff, depth };
}
