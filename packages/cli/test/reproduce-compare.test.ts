import type { EvaluationReport } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';
import { compareResults, type StoredExample, type StoredResult } from '../src/reproduce/compare';
import { formatComparison } from '../src/reproduce/report';

/*
 * The comparison behind `trueboard reproduce`, on hand-made results: what counts as the same
 * (storage precision, key order, JSON's dropped undefineds) and what is a difference. The end-to-end
 * runs on the real Spider baselines are in reproduce.test.ts.
 */

const HASH = 'a'.repeat(64);
const timing = { exampleFields: ['ms'], metrics: ['speed'] };

function local(): EvaluationReport {
  return {
    family: 'text2sql',
    metrics: [
      {
        name: 'acc',
        semantics: 'default',
        value: 100 / 3,
        ci: { low: 10, high: 70, level: 0.95, method: 'wilson' },
        n: 3,
      },
      { name: 'speed', semantics: 'default', value: 5, ci: null, n: 3 },
    ],
    examples: [
      { id: 'a', verdict: 1 / 3, data: { db: 'x', ms: 4, extra: undefined } },
      { id: 'b', verdict: 0, reason: 'wrong result', data: { db: 'x', ms: 5, nested: { p: 1, q: [1, 2] } } },
      { id: 'c', verdict: null, reason: 'database missing', data: { db: 'y', ms: null } },
    ],
    unscorable: 1,
    breakdowns: [
      {
        by: 'db',
        key: 'x',
        metrics: [{ name: 'acc', semantics: 'default', value: 50, ci: null, n: 2 }],
      },
    ],
    provenance: {
      evaluator: 'e',
      evaluatorVersion: '1.0.0',
      runnerVersion: '0.2.0',
      hostname: 'laptop',
      device: 'cpu',
      datasetHash: HASH,
      artifactHash: HASH,
      seed: 7,
      startedAt: '2026-01-02T00:00:00.000Z',
      wallTimeMs: 900,
    },
  };
}

/** What the platform hands back for `local()` computed on another machine at another time. */
function stored(): { result: StoredResult; rows: StoredExample[] } {
  const l = local();
  return {
    result: {
      unscorable: 1,
      provenance: { ...l.provenance, hostname: 'runner-7', runnerVersion: '0.1.0', startedAt: '2025', wallTimeMs: 3 },
      breakdowns: JSON.parse(JSON.stringify(l.breakdowns)),
      metrics: [
        { name: 'speed', semantics: 'default', value: 9, ciLow: null, ciHigh: null, ciMethod: null, n: 3 },
        { name: 'acc', semantics: 'default', value: 100 / 3, ciLow: 10, ciHigh: 70, ciMethod: 'wilson', n: 3 },
      ],
    },
    rows: [
      // float4 column: 1/3 comes back as 0.33333334; jsonb reorders keys
      { exampleId: 'a', verdict: 0.33333334, reason: null, data: { ms: 40, db: 'x' } },
      { exampleId: 'b', verdict: 0, reason: 'wrong result', data: { nested: { q: [1, 2], p: 1 }, ms: 6, db: 'x' } },
      { exampleId: 'c', verdict: null, reason: 'database missing', data: { ms: 2, db: 'y' } },
    ],
  };
}

describe('compareResults', () => {
  it('finds no difference when only timing and the machine differ, and counts the timing it left out', () => {
    const { result, rows } = stored();
    const c = compareResults(result, rows, local(), timing);
    expect(c.differences).toEqual([]);
    expect(Object.fromEntries(c.timing)).toEqual({
      ms: 3,
      'metric speed/default': 1,
      'provenance.startedAt': 1,
      'provenance.wallTimeMs': 1,
    });
    const text = formatComparison(c, 'M (t) on b v1', result.provenance, local().provenance);
    expect(text.split('\n')).toEqual([
      'identical: all 3 examples (verdicts, reasons, per-example data), 1 metric (values, intervals, n), 1 breakdown group and the unscorable count match the stored result of M (t) on b v1',
      'timing differs and is not compared: provenance.startedAt, provenance.wallTimeMs, metric speed/default, ms (3 examples)',
      'where it ran is not compared (hostname, hardware, device, runnerVersion): stored runner-7, cpu, kit 0.1.0; here laptop, cpu, kit 0.2.0',
    ]);
  });

  it('reports every other difference with where, field, stored and local', () => {
    const { result, rows } = stored();
    const l = local();
    const [a, b, c] = rows;
    if (!a || !b || !c) throw new Error('fixture');
    b.verdict = 1;
    c.reason = 'database y is missing';
    a.data.db = 'z';
    const acc = result.metrics[1];
    if (acc) acc.ciHigh = 71;
    result.unscorable = 0;
    result.provenance.evaluatorVersion = '0.9.0';
    (result.breakdowns[0] as { key: string }).key = 'w';
    l.examples.push({ id: 'd', verdict: 1, data: {} });
    rows.push({ exampleId: 'e', verdict: 1, reason: null, data: {} });
    const cmp = compareResults(result, rows, l, timing);
    expect(cmp.differences).toEqual([
      { where: 'a', field: 'db', stored: 'z', local: 'x' },
      { where: 'b', field: 'verdict', stored: 1, local: 0 },
      { where: 'c', field: 'reason', stored: 'database y is missing', local: 'database missing' },
      { where: 'e', field: '(example)', stored: 'present', local: 'missing' },
      { where: 'd', field: '(example)', stored: 'missing', local: 'present' },
      { where: 'metric acc/default', field: 'ciHigh', stored: 71, local: 70 },
      { where: 'result', field: 'unscorable', stored: 0, local: 1 },
      {
        where: 'breakdown db=w',
        field: 'metrics',
        stored: { 'acc/default': { value: 50, ciLow: null, ciHigh: null, ciMethod: null, n: 2 } },
        local: undefined,
      },
      {
        where: 'breakdown db=x',
        field: 'metrics',
        stored: undefined,
        local: { 'acc/default': { value: 50, ciLow: null, ciHigh: null, ciMethod: null, n: 2 } },
      },
      { where: 'provenance', field: 'evaluatorVersion', stored: '0.9.0', local: '1.0.0' },
    ]);
    expect(cmp.examples.differing).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(cmp.metrics.differing).toEqual(['acc/default']);
    const text = formatComparison(cmp, 'M (t) on b v1', result.provenance, l.provenance).split('\n');
    expect(text[0]).toBe(
      'different: 5 of 5 examples and 1 of 1 metric differ from the stored result of M (t) on b v1 (examples a, b, c, e, d)',
    );
    expect(text).toEqual(expect.arrayContaining([expect.stringMatching(/^b\s+verdict\s+1\s+0$/)]));
    expect(text).toEqual(
      expect.arrayContaining([expect.stringMatching(/^c\s+reason\s+"database y is missing"\s+"database missing"$/)]),
    );
  });

  it('treats a timing field as data when the family does not declare it', () => {
    const { result, rows } = stored();
    const c = compareResults(result, rows, local());
    expect(c.differences.filter((d) => d.field === 'ms').map((d) => d.where)).toEqual(['a', 'b', 'c']);
  });
});
