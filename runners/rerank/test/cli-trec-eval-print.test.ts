import { execFileSync } from 'node:child_process';
import { mulberry32 } from '@trueboard/metrics';
import { describe, expect, it } from 'vitest';
import { parseMetricsList, printfFixed, trecEvalLine, trecEvalName } from '../src/cli/trec-eval-print';

/*
 * The printing half of `trueboard eval rerank --qrels --run` (the CLI test compares whole outputs
 * with the built trec_eval). The reference for `%.4f` is Python's `'%.4f' % x`: correctly rounded
 * from the double's exact value, an exact half to even, as glibc's printf.
 */
function pythonFixed(values: readonly number[]): string[] {
  const script = 'import sys, json\nfor x in json.load(sys.stdin): print("%.4f" % x)';
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(values), encoding: 'utf8' });
  return out.trimEnd().split('\n');
}

describe('printfFixed', () => {
  it("rounds an exact half to even, as C's printf does (1/32 is 0.0312, not toFixed's 0.0313)", () => {
    expect(printfFixed(1 / 32, 4)).toBe('0.0312');
    expect((1 / 32).toFixed(4)).toBe('0.0313');
    expect(printfFixed(3 / 32, 4)).toBe('0.0938');
    expect(printfFixed(0.5, 0)).toBe('0');
    expect(printfFixed(1.5, 0)).toBe('2');
  });

  it("agrees with Python's %.4f on halves, thirds, 4-digit neighbours and random doubles", () => {
    const rng = mulberry32(42);
    const values: number[] = [0, 1, 0.00005, 0.99995, 1 / 3, 2 / 3];
    for (let n = 1; n <= 12; n++) for (let k = 0; k <= 2 ** n; k++) values.push(k / 2 ** n);
    for (let i = 0; i < 2000; i++) values.push(rng());
    for (let i = 0; i < 2000; i++) values.push(Math.round(rng() * 1e5) / 1e5);
    for (let i = 0; i < 200; i++) values.push(rng() * 1000);
    const ours = values.map((v) => printfFixed(v, 4));
    expect(ours).toEqual(pythonFixed(values));
  });

  it('prints a line as trec_eval does: %-22s\\t%s\\t%6.4f', () => {
    expect(trecEvalLine('map', 'all', 0.27272727)).toBe('map                   \tall\t0.2727\n');
    expect(trecEvalLine('a_measure_name_of_25_chr', 'q1', 1)).toBe('a_measure_name_of_25_chr\tq1\t1.0000\n');
  });
});

describe('parseMetricsList', () => {
  it("orders measures as trec_eval prints them, cutoffs ascending, and reads 'ndcg_cut.5,10' as two", () => {
    const names = parseMetricsList('success.10,ndcg_cut.10,5,recall.100,P.10,recip_rank,map,recip_rank@10,map').map(
      (m) => trecEvalName(m),
    );
    expect(names).toEqual([
      'map',
      'recip_rank',
      'recip_rank@10',
      'P_10',
      'recall_100',
      'ndcg_cut_5',
      'ndcg_cut_10',
      'success_10',
    ]);
  });

  it('names what it cannot read and lists the measures it knows', () => {
    expect(() => parseMetricsList('ndcg_cut.10,bpref')).toThrow(
      "--metrics: unknown measure 'bpref': expected one of ndcg_cut.<k>, P.<k>, recall.<k>, success.<k>, map, recip_rank, optionally with @<depth>",
    );
    expect(() => parseMetricsList('map,10')).toThrow(
      "--metrics 'map,10': '10' is a cutoff, but follows no measure that takes one",
    );
    expect(() => parseMetricsList('map,,P.5')).toThrow("--metrics 'map,,P.5': an empty name between commas");
    expect(() => parseMetricsList('ndcg_cut')).toThrow(
      "--metrics: measure 'ndcg_cut' needs a cutoff, e.g. 'ndcg_cut.10'",
    );
  });
});
