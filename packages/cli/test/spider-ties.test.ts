import { leaderboard, seedCorrections } from '@trueboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPIDER, spiderPlatform } from './spider-platform';

/*
 * Tie groups on the real Spider dev board (EX, spider semantics, 972 scorable questions). The three
 * baselines' 95% intervals overlap pairwise, but they answer the same questions, so the exact
 * McNemar test on their per-example verdicts decides, and it separates them.
 *
 * Golden values, independent of our code:
 * - discordant pairs from the official test-suite-sql-eval verdicts
 *   (../shared/data/spider-dev/reference-verdicts/<system>.spider.jsonl, counted with a Python
 *   one-liner): DAIL-SQL right and CodeS-1B wrong on 105 questions, the reverse on 58; CodeS-1B
 *   right and DTS-SQL wrong on 95, the reverse on 68.
 * - p = 2 · Σ_{k ≤ min(b,c)} C(b + c, k) / 2^(b+c) (two-sided binomial test at ½ on the discordant
 *   pairs), in exact rational arithmetic (Python's fractions.Fraction and math.comb):
 *   105/58: 2 · Σ_{k ≤ 58} C(163, k) / 2^163 = 0.0002881495418529562
 *   95/68:  2 · Σ_{k ≤ 68} C(163, k) / 2^163 = 0.04137242299938576
 *   and recomputed below with BigInt sums of binomial coefficients (no logarithms, no floats).
 * The bundled v2 corrections change no discordant pair, so v2 must give the same.
 */

/** 2 · Σ_{k ≤ min} C(n, k) / 2^n with exact integers; the ratio is rounded once at the end. */
function exactMcNemar(b: number, c: number): number {
  const n = BigInt(b + c);
  const m = BigInt(Math.min(b, c));
  let choose = 1n;
  let sum = 0n;
  for (let k = 0n; k <= m; k++) {
    sum += choose;
    choose = (choose * (n - k)) / (k + 1n);
  }
  const scale = 10n ** 30n;
  return Number((2n * sum * scale) / 2n ** n) / 1e30;
}

let env: Awaited<ReturnType<typeof spiderPlatform>>;

beforeAll(async () => {
  env = await spiderPlatform();
}, 300_000);
afterAll(() => env?.close());

type Board = Awaited<ReturnType<typeof leaderboard>>;

function expectThreeGroups(board: Board) {
  expect(board.rows.map((r) => [r.method, r.rank, r.group, r.tied])).toEqual([
    ['DAIL-SQL (GPT-4)', 1, 1, false],
    ['CodeS-1B', 2, 2, false],
    ['DTS-SQL (Mistral 7B)', 3, 3, false],
  ]);
  // the intervals alone would have chained all three into one group
  const ex = board.rows.map((r) => r.metrics['ex/spider']);
  for (const [upper, lower] of [
    [ex[0], ex[1]],
    [ex[1], ex[2]],
  ]) {
    expect(upper?.ciLow ?? 0).toBeLessThanOrEqual(lower?.ciHigh ?? 0);
  }
  const [dail, codes, dts] = board.rows;
  expect(dail?.tie).toBeNull();
  expect(codes?.tie).toMatchObject({ test: 'mcnemar-exact', tied: false, n: 972, onlyAbove: 105, onlyThis: 58 });
  expect(dts?.tie).toMatchObject({ test: 'mcnemar-exact', tied: false, n: 972, onlyAbove: 95, onlyThis: 68 });
  expect(codes?.tie?.p).toBeCloseTo(0.0002881495418529562, 15);
  expect(dts?.tie?.p).toBeCloseTo(0.04137242299938576, 13);
  expect(codes?.tie?.p).toBeCloseTo(exactMcNemar(105, 58), 15);
  expect(dts?.tie?.p).toBeCloseTo(exactMcNemar(95, 68), 13);
}

describe('Spider dev tie groups', () => {
  it('v1: exact McNemar separates the three baselines into three groups, p ≈ 0.0003 and p ≈ 0.041', async () => {
    const v1 = await leaderboard(env.p, { benchmark: 'spider-dev', version: 1 });
    expect(v1.columns[0]?.key).toBe('ex/spider');
    expectThreeGroups(v1);

    // the exports carry the test and p relative to the entry above
    const json = (await (await fetch(`${env.srv.baseUrl}/api/leaderboard/spider-dev.json?v=1`)).json()) as {
      rows: { method: string; tie: { test: string; p: number | null } | null }[];
    };
    expect(json.rows.map((r) => [r.method, r.tie?.test ?? null, r.tie?.p?.toFixed(4) ?? null])).toEqual([
      ['DAIL-SQL (GPT-4)', null, null],
      ['CodeS-1B', 'mcnemar-exact', '0.0003'],
      ['DTS-SQL (Mistral 7B)', 'mcnemar-exact', '0.0414'],
    ]);
    const csv = (await (await fetch(`${env.srv.baseUrl}/api/leaderboard/spider-dev.csv?v=1`)).text())
      .trim()
      .split('\n');
    const head = csv[0]?.split(',') ?? [];
    const col = (line: string | undefined, name: string) => line?.split(',')[head.indexOf(name)];
    expect(csv.slice(1).map((l) => [col(l, 'method'), col(l, 'tie_test'), col(l, 'tie_p')])).toEqual([
      ['DAIL-SQL (GPT-4)', '', ''],
      ['CodeS-1B', 'mcnemar-exact', '0.0002881'],
      ['DTS-SQL (Mistral 7B)', 'mcnemar-exact', '0.04137'],
    ]);
  });

  it('v2, after the bundled corrections: the same discordant pairs, p-values and three groups', {
    timeout: 300_000,
  }, async () => {
    const release = await seedCorrections(env.p, env.admin.actor, 'spider-dev', SPIDER);
    expect(release).toMatchObject({ version: 2, rescoring: 3 });
    await env.drain();
    const v2 = await leaderboard(env.p, { benchmark: 'spider-dev', version: 2 });
    expect(v2.version).toBe(2);
    expectThreeGroups(v2);
  });
});
