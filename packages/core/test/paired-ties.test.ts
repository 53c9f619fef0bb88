import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  goodPredictions,
  makeTeam,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  testRunner,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMethod, importBenchmarkDir, leaderboard, leaderboardCsv, submit } from '../src/index';

/*
 * Tie groups on a board whose entries carry per-example verdicts: the paired test on the examples
 * decides each link with the entry above; the stored 95% intervals only where it cannot be run.
 * Each test builds its entries on a board of its own (a copy of the toy benchmark).
 */

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let runner: Awaited<ReturnType<typeof testRunner>>;
let teams = 0;
let boards = 0;

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  runner = await testRunner(p, cast.runnerToken.secret);
});
afterAll(() => p.close());

/** A new, empty board: the toy benchmark under another id. */
async function newBoard() {
  const id = `toy-ties-${++boards}`;
  const dir = mkdtempSync(join(tmpdir(), `tb-${id}-`));
  try {
    cpSync(TOY_QA_DIR, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id }));
    await importBenchmarkDir(p, cast.admin.actor, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const entry = (name: string, verdicts: (number | null)[], ci: [number, number]) =>
    scoredEntry(id, name, verdicts, ci);
  return { entry, board: () => leaderboard(p, { benchmark: id }) };
}

/** `k` ones then zeros, `n` long. */
const ones = (k: number, n: number) => Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));

/**
 * An entry whose score is the mean of its verdicts (as a runner computes it), over the non-null
 * ones, with the given interval; example ids q0, q1, ….
 */
async function scoredEntry(benchmark: string, name: string, verdicts: (number | null)[], ci: [number, number]) {
  const slug = `team-${++teams}`;
  const team = await makeTeam(p, slug);
  const method = await createMethod(p, team.owner.actor, { team: slug, name });
  await submit(p, team.owner.actor, { benchmark, method: method.id }, goodPredictions({ q1: slug }));
  const scored = verdicts.filter((v): v is number => v !== null);
  const value = (100 * scored.reduce((s, v) => s + v, 0)) / scored.length;
  await runner.scoreNext({
    metrics: [
      {
        name: 'accuracy',
        semantics: 'exact-match',
        value,
        ci: { low: ci[0], high: ci[1], level: 0.95, method: 'wilson' },
        n: scored.length,
      },
    ],
    examples: verdicts.map((verdict, i) => ({ id: `q${i}`, verdict, data: {} })),
  });
}

describe('tie groups follow the paired test', () => {
  it('separates entries whose intervals overlap when exact McNemar does (p < 0.05), and records the test', async () => {
    // 40 examples: A right on q0–q29 (75%), B right on q0–q19 (50%), so B's right answers are a subset
    // of A's: 10 discordant pairs, all for A. Exact McNemar: 2 · P(X ≤ 0), X ~ Bin(10, ½) = 2/1024.
    // The intervals overlap (as Wilson's do at n = 40: [59.8, 85.8] and [35.2, 64.8]).
    const { entry, board } = await newBoard();
    await entry('A', ones(30, 40), [59.8, 85.8]);
    await entry('B', ones(20, 40), [35.2, 64.8]);
    const b = await board();
    expect(b.rows.map((r) => [r.method, r.rank, r.group, r.tied])).toEqual([
      ['A', 1, 1, false],
      ['B', 2, 2, false],
    ]);
    expect(b.rows[0]?.tie).toBeNull();
    expect(b.rows[1]?.tie).toEqual({
      test: 'mcnemar-exact',
      p: expect.closeTo(2 / 1024, 12),
      tied: false,
      n: 40,
      onlyAbove: 10,
      onlyThis: 0,
    });
  });

  it('ties adjacent entries that exact McNemar cannot separate (p ≥ 0.05), even with intervals apart, in a chain', async () => {
    // C right on q0–q14 and q16–q18 (18/40 = 45%); against B (q0–q19): only B on q15 and q19, only C
    // on none: b = 2, c = 0, p = 2 · P(X ≤ 0), X ~ Bin(2, ½) = 2/4 = 0.5.
    // D right on q0–q14 (37.5%); against C: only C on q16–q18: b = 3, c = 0, p = 2/8 = 0.25, although
    // their intervals [44.9, 45.1] and [37.4, 37.6] are apart. B, C and D form one chain: one group.
    // A and B as in the test above.
    const { entry, board } = await newBoard();
    await entry('A', ones(30, 40), [59.8, 85.8]);
    await entry('B', ones(20, 40), [35.2, 64.8]);
    const c = ones(15, 40);
    for (const i of [16, 17, 18]) c[i] = 1;
    await entry('C', c, [44.9, 45.1]);
    await entry('D', ones(15, 40), [37.4, 37.6]);
    const b = await board();
    expect(b.rows.map((r) => [r.method, r.group, r.tied])).toEqual([
      ['A', 1, false],
      ['B', 2, true],
      ['C', 2, true],
      ['D', 2, true],
    ]);
    expect(b.rows[2]?.tie).toMatchObject({
      test: 'mcnemar-exact',
      p: expect.closeTo(0.5, 12),
      tied: true,
      onlyAbove: 2,
      onlyThis: 0,
    });
    expect(b.rows[3]?.tie).toMatchObject({
      test: 'mcnemar-exact',
      p: expect.closeTo(0.25, 12),
      tied: true,
      onlyAbove: 3,
      onlyThis: 0,
    });
    // the export names the test that linked each entry with the one above, and its p
    const csv = leaderboardCsv(b).trim().split('\n');
    expect(csv[0]?.split(',').slice(8, 10)).toEqual(['tie_test', 'tie_p']);
    expect(csv.slice(1).map((l) => l.split(',').slice(8, 10))).toEqual([
      ['', ''],
      ['mcnemar-exact', '0.001953'],
      ['mcnemar-exact', '0.5000'],
      ['mcnemar-exact', '0.2500'],
    ]);
  });

  it('falls back to the intervals where the example sets differ, and says why', async () => {
    // E's q39 is unscorable (null): its scored examples are not D's, so there is no paired test, and
    // the intervals [20, 30] and [37.4, 37.6] are apart
    const { entry, board } = await newBoard();
    await entry('D', ones(15, 40), [37.4, 37.6]);
    const e: (number | null)[] = ones(10, 40);
    e[39] = null;
    await entry('E', e, [20, 30]);
    const b = await board();
    expect(b.rows.map((r) => [r.method, r.group, r.tied])).toEqual([
      ['D', 1, false],
      ['E', 2, false],
    ]);
    expect(b.rows[1]?.tie).toEqual({ test: 'ci-overlap', p: null, tied: false, fallback: 'different-examples' });
  });

  it('uses a seeded sign-flip permutation test for graded per-example scores', async () => {
    // F and G score graded values on 39 examples (q0–q38: ≈ 19% and ≈ 9%); G trails F on every one,
    // so only the all-plus and all-minus sign patterns (2 of 2^39) are as extreme as observed: none
    // of 10,000 drawn patterns is, p = (0 + 1)/(10,000 + 1). Their intervals overlap.
    const { entry, board } = await newBoard();
    const f: (number | null)[] = Array.from({ length: 40 }, (_, i) => 0.15 + (i % 5) / 50);
    f[39] = null;
    await entry('F', f, [10, 30]);
    await entry(
      'G',
      f.map((v) => (v === null ? null : v - 0.1)),
      [5, 25],
    );
    const b = await board();
    expect(b.rows.map((r) => r.method)).toEqual(['F', 'G']);
    expect(b.rows[1]?.tie).toEqual({
      test: 'sign-flip-permutation',
      p: 1 / 10_001,
      tied: false,
      n: 39,
      permutations: 10_000,
    });
    expect(b.rows.map((r) => [r.group, r.tied])).toEqual([
      [1, false],
      [2, false],
    ]);
  });

  it('does not pair equally many examples that are not the same ones', async () => {
    // H scores 39 examples like G, but q1–q39 (q0 unscorable) where G has q0–q38: no paired test
    const { entry, board } = await newBoard();
    const g: (number | null)[] = Array.from({ length: 40 }, (_, i) => 0.05 + (i % 5) / 50);
    g[39] = null;
    await entry('G', g, [5, 25]);
    const h: (number | null)[] = ones(2, 40);
    h[0] = null;
    await entry('H', h, [0.1, 3]);
    const b = await board();
    expect(b.rows.map((r) => r.method)).toEqual(['G', 'H']);
    expect(b.rows[1]?.tie).toEqual({ test: 'ci-overlap', p: null, tied: false, fallback: 'different-examples' });
  });
});
