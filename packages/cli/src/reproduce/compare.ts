import type { EvaluationReport, Evaluator, MetricValue, Provenance } from '@trueboard/contracts';

/** A result as the platform stores it (`submissions.result`). */
export interface StoredResult {
  unscorable: number;
  provenance: Provenance;
  breakdowns: unknown[];
  metrics: {
    name: string;
    semantics: string;
    value: number;
    ciLow: number | null;
    ciHigh: number | null;
    ciMethod: string | null;
    n: number;
  }[];
}

/** One stored per-example row (`submissions.examples`). */
export interface StoredExample {
  exampleId: string;
  verdict: number | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export type Timing = NonNullable<Evaluator['timing']>;

/** One value that differs: `where` is an example id, a metric, a breakdown group or "provenance". */
export interface Difference {
  where: string;
  field: string;
  stored: unknown;
  local: unknown;
}

export interface Comparison {
  examples: { compared: number; differing: string[] };
  metrics: { compared: number; differing: string[] };
  /** breakdown groups (e.g. per database) compared */
  breakdowns: number;
  /** every differing value: examples first (in stored order), then aggregates and provenance */
  differences: Difference[];
  /** timing values that differ and are not compared, with how many examples (or 1) they differ in */
  timing: Map<string, number>;
}

/** Provenance timing fields, common to every family. */
const PROVENANCE_TIMING = ['startedAt', 'wallTimeMs'] as const;
/** Provenance that must match for two results to be the same evaluation. */
const PROVENANCE_SAME = ['evaluator', 'evaluatorVersion', 'datasetHash', 'artifactHash', 'seed'] as const;

/** Provenance of the run itself: where it ran, not what it computed (not compared). */
export const MACHINE_FIELDS = ['hostname', 'hardware', 'device', 'runnerVersion'] as const;

/**
 * Compares a local report with the stored result, value by value: per-example verdicts, reasons
 * and data, aggregate metrics with their intervals, breakdowns, the unscorable count and the
 * provenance of the computation. Only timing (the provenance's start and wall time, and what the
 * family declares in `Evaluator.timing`) and where it ran (host, hardware, device, kit version)
 * may differ; timing differences are counted for the report.
 */
export function compareResults(
  stored: StoredResult,
  storedRows: readonly StoredExample[],
  localReport: EvaluationReport,
  timing: Timing = { exampleFields: [], metrics: [] },
): Comparison {
  // the stored report went through JSON on its way in (undefined fields dropped): so does this one
  const local = JSON.parse(JSON.stringify(localReport)) as EvaluationReport;
  const differences: Difference[] = [];
  const timingDiffs = new Map<string, number>();
  const countTiming = (name: string) => timingDiffs.set(name, (timingDiffs.get(name) ?? 0) + 1);
  const timingFields = new Set(timing.exampleFields);
  const timingMetrics = new Set(timing.metrics);

  const localRows = new Map(local.examples.map((e) => [e.id, e]));
  const differing = new Set<string>();
  const differ = (d: Difference) => {
    differences.push(d);
    differing.add(d.where);
  };
  for (const s of storedRows) {
    const l = localRows.get(s.exampleId);
    localRows.delete(s.exampleId);
    if (!l) {
      differ({ where: s.exampleId, field: '(example)', stored: 'present', local: 'missing' });
      continue;
    }
    // verdicts are stored as float4 (`real`): compare at that precision
    const sv = s.verdict === null ? null : Math.fround(s.verdict);
    const lv = l.verdict === null ? null : Math.fround(l.verdict);
    if (sv !== lv) differ({ where: s.exampleId, field: 'verdict', stored: s.verdict, local: l.verdict });
    if ((s.reason ?? null) !== (l.reason ?? null))
      differ({ where: s.exampleId, field: 'reason', stored: s.reason, local: l.reason ?? null });
    for (const key of unionKeys(s.data, l.data)) {
      if (same(s.data[key], l.data[key])) continue;
      if (timingFields.has(key)) countTiming(key);
      else differ({ where: s.exampleId, field: key, stored: s.data[key], local: l.data[key] });
    }
  }
  const localOnly = localRows.size;
  for (const id of localRows.keys()) differ({ where: id, field: '(example)', stored: 'missing', local: 'present' });
  const examplesDiffering = [...differing];

  const metricKey = (m: { name: string; semantics: string }) => `${m.name}/${m.semantics}`;
  const storedMetrics = new Map(
    stored.metrics.map((m) => [
      metricKey(m),
      { value: m.value, ciLow: m.ciLow, ciHigh: m.ciHigh, ciMethod: m.ciMethod, n: m.n },
    ]),
  );
  const localMetrics = new Map(local.metrics.map((m) => [metricKey(m), flatMetric(m)]));
  const metricsDiffering = new Set<string>();
  let metricsCompared = 0;
  for (const key of new Set([...storedMetrics.keys(), ...localMetrics.keys()])) {
    const s = storedMetrics.get(key);
    const l = localMetrics.get(key);
    if (timingMetrics.has(key.slice(0, key.indexOf('/')))) {
      if (!same(s, l)) countTiming(`metric ${key}`);
      continue;
    }
    metricsCompared++;
    if (!s || !l) {
      metricsDiffering.add(key);
      differences.push({
        where: `metric ${key}`,
        field: '(metric)',
        stored: s ? 'present' : 'missing',
        local: l ? 'present' : 'missing',
      });
      continue;
    }
    for (const field of Object.keys(s) as (keyof typeof s)[]) {
      if (same(s[field], l[field])) continue;
      metricsDiffering.add(key);
      differences.push({ where: `metric ${key}`, field, stored: s[field], local: l[field] });
    }
  }

  if (stored.unscorable !== local.unscorable)
    differences.push({ where: 'result', field: 'unscorable', stored: stored.unscorable, local: local.unscorable });

  const storedGroups = breakdownMap(stored.breakdowns as EvaluationReport['breakdowns'], timingMetrics);
  const localGroups = breakdownMap(local.breakdowns, timingMetrics);
  const groups = new Set([...storedGroups.keys(), ...localGroups.keys()]);
  for (const key of groups) {
    const s = storedGroups.get(key);
    const l = localGroups.get(key);
    if (!same(s, l)) differences.push({ where: `breakdown ${key}`, field: 'metrics', stored: s, local: l });
  }

  for (const field of PROVENANCE_SAME) {
    if (!same(stored.provenance[field], local.provenance[field]))
      differences.push({
        where: 'provenance',
        field,
        stored: stored.provenance[field],
        local: local.provenance[field],
      });
  }
  for (const field of PROVENANCE_TIMING) {
    if (!same(stored.provenance[field], local.provenance[field])) countTiming(`provenance.${field}`);
  }

  return {
    examples: { compared: storedRows.length + localOnly, differing: examplesDiffering },
    metrics: { compared: metricsCompared, differing: [...metricsDiffering] },
    breakdowns: groups.size,
    differences,
    timing: timingDiffs,
  };
}

function flatMetric(m: MetricValue) {
  return {
    value: m.value,
    ciLow: m.ci?.low ?? null,
    ciHigh: m.ci?.high ?? null,
    ciMethod: m.ci?.method ?? null,
    n: m.n,
  };
}

/** Breakdown groups by `by=key`, their metrics flattened like the top-level ones (timing metrics left out). */
function breakdownMap(groups: EvaluationReport['breakdowns'], timingMetrics: ReadonlySet<string>) {
  return new Map(
    groups.map((g) => [
      `${g.by}=${g.key}`,
      Object.fromEntries(
        g.metrics.filter((m) => !timingMetrics.has(m.name)).map((m) => [`${m.name}/${m.semantics}`, flatMetric(m)]),
      ),
    ]),
  );
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/** Equality of JSON values, whatever the key order (PostgreSQL's jsonb reorders keys). */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
}
