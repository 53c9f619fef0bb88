import type { EvaluationReport, ExampleResult, MetricValue } from '@trueboard/contracts';
import { bootstrapMeanCI, wilsonInterval } from '@trueboard/metrics';
import type { Text2SqlDataset } from './dataset';
import type { Text2SqlOptions } from './options';
import type { ScoredExample } from './score';

type Metrics = EvaluationReport['metrics'];

function accuracy(name: string, semantics: string, verdicts: (0 | 1 | null)[]): MetricValue {
  const scored = verdicts.filter((v): v is 0 | 1 => v !== null);
  const k = scored.filter((v) => v === 1).length;
  const ci = wilsonInterval(k, scored.length);
  return {
    name,
    semantics,
    value: scored.length ? (100 * k) / scored.length : 0,
    ci: { low: 100 * ci.low, high: 100 * ci.high, level: 0.95, method: 'wilson' },
    n: scored.length,
  };
}

function mean(
  name: string,
  semantics: string,
  values: (number | null)[],
  o: Text2SqlOptions,
  seed: number,
  map = (v: number) => v,
): MetricValue {
  const xs = values.filter((v): v is number => v !== null).map(map);
  const ci = xs.length
    ? bootstrapMeanCI(xs, { resamples: o.bootstrapResamples, level: 0.95, seed })
    : { low: 0, high: 0 };
  const m = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  return {
    name,
    semantics,
    value: 100 * m,
    ci: { low: 100 * ci.low, high: 100 * ci.high, level: 0.95, method: 'bootstrap' },
    n: xs.length,
  };
}

export function spiderSemanticsName(o: Text2SqlOptions): string {
  return o.keepDistinct ? 'spider-keep-distinct' : 'spider';
}

/** Aggregate metrics (with 95% CIs) computed from the per-example results. */
export function aggregateMetrics(rows: ScoredExample[], o: Text2SqlOptions, seed: number): Metrics {
  const metrics: Metrics = [
    accuracy(
      'ex',
      spiderSemanticsName(o),
      rows.map((r) => r.exSpider),
    ),
    accuracy(
      'ex',
      'bird',
      rows.map((r) => r.exBird),
    ),
    mean(
      'soft_f1',
      'bird-minidev',
      rows.map((r) => r.softF1),
      o,
      seed,
    ),
  ];
  if (o.vesRepeats > 0)
    metrics.push(
      mean(
        'rves',
        'bird-minidev',
        rows.map((r) => r.vesReward),
        o,
        seed,
        Math.sqrt,
      ),
    );
  return metrics;
}

/** EX under both semantics per database and per difficulty (when the data has difficulties). */
export function breakdowns(rows: ScoredExample[], o: Text2SqlOptions): EvaluationReport['breakdowns'] {
  const out: EvaluationReport['breakdowns'] = [];
  const group = (by: string, keyOf: (r: ScoredExample) => string | undefined) => {
    const groups = new Map<string, ScoredExample[]>();
    for (const r of rows) {
      const k = keyOf(r);
      if (k === undefined) continue;
      const group = groups.get(k);
      if (group) group.push(r);
      else groups.set(k, [r]);
    }
    for (const [key, rs] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push({
        by,
        key,
        metrics: [
          accuracy(
            'ex',
            spiderSemanticsName(o),
            rs.map((r) => r.exSpider),
          ),
          accuracy(
            'ex',
            'bird',
            rs.map((r) => r.exBird),
          ),
        ],
      });
    }
  };
  group('db_id', (r) => r.dbId);
  if (rows.some((r) => r.difficulty)) group('difficulty', (r) => r.difficulty);
  return out;
}

export function exampleRows(
  rows: ScoredExample[],
  primary: 'spider' | 'bird',
  ds: Text2SqlDataset,
  preds: Map<string, string>,
  reused: ReadonlySet<string> = new Set(),
): ExampleResult[] {
  return rows.map((r, i) => ({
    ...(reused.has(r.id) ? { reused: true } : {}),
    id: r.id,
    verdict: primary === 'spider' ? r.exSpider : r.exBird,
    reason: r.reason,
    data: {
      db_id: r.dbId,
      ...(r.difficulty ? { difficulty: r.difficulty } : {}),
      // structured, so triage never reads the reason's wording (rows.ts)
      ...(r.unscorable ? { unscorable: r.unscorable } : {}),
      ex_spider: r.exSpider,
      ex_bird: r.exBird,
      soft_f1: r.softF1,
      ...(r.vesReward !== null ? { ves_reward: r.vesReward } : {}),
      pred_ms: r.predMs,
      gold_ms: r.goldMs,
      // what the detail view shows next to the verdict
      question: ds.examples[i]?.question ?? '',
      ...(ds.examples[i]?.evidence ? { evidence: ds.examples[i]?.evidence } : {}),
      gold_sql: ds.examples[i]?.goldSql ?? '',
      pred_sql: preds.get(r.id) ?? null,
      ...(r.goldPreview ? { gold_preview: r.goldPreview } : {}),
      ...(r.predPreview ? { pred_preview: r.predPreview } : {}),
    },
  }));
}
