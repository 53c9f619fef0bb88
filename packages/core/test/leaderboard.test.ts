import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submissions } from '@trueboard/db';
import {
  goodPredictions,
  makeTeam,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  testRunner,
  toyScenario,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  benchmarkSummaries,
  createMethod,
  importBenchmarkDir,
  LeaderboardQuery,
  leaderboard,
  leaderboardCsv,
  leaderboardQueryFromParams,
  listBenchmarks,
  submit,
} from '../src/index';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let runner: Awaited<ReturnType<typeof testRunner>>;

/** name → [accuracy, ci low, ci high, latency ms (lower is better)] */
const ENTRIES: Record<
  string,
  {
    acc: [number, number, number];
    ms: number;
    tags?: string[];
    baseline?: boolean;
    hidden?: boolean;
    /** per-example verdicts (default: one correct example) */
    verdicts?: number[];
  }
> = {
  alpha: { acc: [90, 85, 95], ms: 30, tags: ['open'] },
  beta: { acc: [88, 84, 92], ms: 10 },
  gamma: { acc: [70, 65, 75], ms: 20, baseline: true },
  delta: { acc: [70, 60, 80], ms: 40, tags: ['open'] },
  epsilon: { acc: [50, 45, 55], ms: 5 },
  hidden: { acc: [99, 98, 100], ms: 1, hidden: true },
};
const ids: Record<string, string> = {};

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  runner = await testRunner(p, cast.runnerToken.secret);
  for (const [name, e] of Object.entries(ENTRIES)) await addEntry(name, e);
});
afterAll(() => p.close());

/** An entry on the toy board (the one of beforeAll), or on another benchmark. */
async function addEntry(name: string, e: (typeof ENTRIES)[string], benchmark = 'toy-qa') {
  const team = await makeTeam(p, `team-${name}`);
  const method = await createMethod(p, team.owner.actor, {
    team: `team-${name}`,
    name: `Method ${name}`,
    tags: e.tags,
  });
  const s = await submit(
    p,
    team.owner.actor,
    { benchmark, method: method.id, isPublic: !e.hidden },
    goodPredictions({ q1: name }),
  );
  ids[name] = s.id;
  if (e.baseline) await p.db.update(submissions).set({ isBaseline: true }).where(eq(submissions.id, s.id));
  await runner.scoreNext({
    metrics: [
      {
        name: 'accuracy',
        semantics: 'exact-match',
        value: e.acc[0],
        ci: { low: e.acc[1], high: e.acc[2], level: 0.95, method: 'wilson' },
        n: e.verdicts?.length ?? 5,
      },
      { name: 'latency', semantics: 'p50', value: e.ms, ci: null, n: e.verdicts?.length ?? 5 },
    ],
    examples: (e.verdicts ?? [1]).map((verdict, i) => ({ id: `q${i + 1}`, verdict, data: {} })),
  });
}

let boards = 0;

/** A board of a test's own (the toy benchmark under another id): its entries change no other test's board. */
async function newBoard() {
  const id = `toy-board-${++boards}`;
  const dir = mkdtempSync(join(tmpdir(), `tb-${id}-`));
  try {
    cpSync(TOY_QA_DIR, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id }));
    await importBenchmarkDir(p, cast.admin.actor, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return id;
}

describe('leaderboard', () => {
  it('ranks public entries by the primary metric with competition ranks and CI tie groups', async () => {
    const b = await leaderboard(p, { benchmark: 'toy-qa' });
    expect(b.version).toBe(1);
    expect(b.columns.map((c) => [c.key, c.primary])).toEqual([
      ['accuracy/exact-match', true],
      ['latency/p50', false],
    ]);
    // hidden (private) is not on the board; alpha [85,95] and beta [84,92] overlap; gamma and
    // delta share 70 (rank 3) and overlap each other but not beta; epsilon stands alone
    expect(b.rows.map((r) => [r.method, r.rank, r.group, r.tied])).toEqual([
      ['Method alpha', 1, 1, true],
      ['Method beta', 2, 1, true],
      ['Method gamma', 3, 2, true],
      ['Method delta', 3, 2, true],
      ['Method epsilon', 5, 3, false],
    ]);
    expect(b.total).toBe(5);
    expect(b.rows[0]?.metrics['accuracy/exact-match']).toEqual({ value: 90, ciLow: 85, ciHigh: 95, n: 5 });
  });

  it('sorts by any column in either direction while keeping the primary rank', async () => {
    const byLatency = await leaderboard(p, { benchmark: 'toy-qa', sort: 'latency/p50', dir: 'asc' });
    expect(byLatency.rows.map((r) => [r.method, r.rank])).toEqual([
      ['Method epsilon', 5],
      ['Method beta', 2],
      ['Method gamma', 3],
      ['Method alpha', 1],
      ['Method delta', 3],
    ]);
    const worstFirst = await leaderboard(p, { benchmark: 'toy-qa', dir: 'asc' });
    expect(worstFirst.rows.map((r) => r.method)[0]).toBe('Method epsilon');
    await expect(leaderboard(p, { benchmark: 'toy-qa', sort: 'nope/x' })).rejects.toThrow(
      /sort: no column "nope\/x" \(columns: accuracy\/exact-match, latency\/p50\)/,
    );
  });

  it('filters by team, tag and baseline without changing ranks, and pages', async () => {
    const open = await leaderboard(p, { benchmark: 'toy-qa', tag: 'open' });
    expect(open.rows.map((r) => [r.method, r.rank])).toEqual([
      ['Method alpha', 1],
      ['Method delta', 3],
    ]);
    const team = await leaderboard(p, { benchmark: 'toy-qa', team: 'team-delta' });
    expect(team.rows.map((r) => r.method)).toEqual(['Method delta']);
    expect((await leaderboard(p, { benchmark: 'toy-qa', baseline: 'only' })).rows.map((r) => r.method)).toEqual([
      'Method gamma',
    ]);
    expect((await leaderboard(p, { benchmark: 'toy-qa', baseline: 'exclude' })).total).toBe(4);
    const page2 = await leaderboard(p, { benchmark: 'toy-qa', offset: 2, limit: 2 });
    expect(page2.rows.map((r) => r.method)).toEqual(['Method gamma', 'Method delta']);
    expect(page2.total).toBe(5);
    await expect(leaderboard(p, { benchmark: 'toy-qa', version: 9 })).rejects.toThrow(/version 9 of "toy-qa"/);
  });

  it('reads URL parameters leniently, the same way for the page and the export', () => {
    const q = leaderboardQueryFromParams(
      'toy-qa',
      (k) => ({ v: '2', sort: 'latency/p50', dir: 'sideways', baseline: 'only', page: '3' })[k],
    );
    expect(q).toMatchObject({
      version: 2,
      sort: 'latency/p50',
      dir: undefined,
      baseline: 'only',
      offset: 200,
      limit: 100,
    });
    expect(leaderboardQueryFromParams('toy-qa', () => null, { all: true })).toMatchObject({
      offset: 0,
      limit: 100_000,
    });
    // values past the input bounds are dropped, so a crafted URL still renders the board
    const huge = leaderboardQueryFromParams(
      'toy-qa',
      (k) => ({ v: '99999999999', sort: 's'.repeat(300), team: 't'.repeat(65), tag: 'x'.repeat(65), page: '1e12' })[k],
    );
    expect(huge).toMatchObject({ version: undefined, sort: undefined, team: undefined, tag: undefined });
    expect(LeaderboardQuery.safeParse(huge).success).toBe(true);
  });

  it('exports exactly the shown rows as CSV, neutralising formula-like names', async () => {
    const b = await leaderboard(p, { benchmark: 'toy-qa', tag: 'open' });
    const lines = leaderboardCsv(b).trim().split('\n');
    expect(lines[0]).toBe(
      'rank,group,tied,method,team,baseline,submitted_at,unscorable,tie_test,tie_p,accuracy/exact-match,accuracy/exact-match ci_low,accuracy/exact-match ci_high,accuracy/exact-match n,latency/p50,latency/p50 ci_low,latency/p50 ci_high,latency/p50 n',
    );
    expect(lines).toHaveLength(3);
    // alpha leads the board: nothing above it to test against
    expect(lines[1]).toMatch(
      /^1,1,true,Method alpha,team-alpha,false,.*,0,,,90\.0000,85\.0000,95\.0000,5,30\.0000,,,5$/,
    );
    // delta's link is with gamma, ranked directly above it on the whole board (filtered out here); the
    // toy rows (one example, n = 5) do not reproduce the score, so the intervals decide
    expect(lines[2]).toMatch(/^3,2,true,Method delta,team-delta,false,.*,0,ci-overlap,,70\.0000,/);
    const evil = leaderboardCsv({ ...b, rows: b.rows.map((r) => ({ ...r, method: '=HYPERLINK("x")' })) });
    expect(evil.split('\n')[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('benchmarkSummaries', () => {
  it('names each benchmark with its leader among public entries, count and latest version', async () => {
    const toy = (await benchmarkSummaries(p)).find((b) => b.id === 'toy-qa');
    expect(toy).toMatchObject({
      id: 'toy-qa',
      latestVersion: 1,
      submissions: 5,
      leader: { method: 'Method alpha', team: 'team-alpha', value: 90, submissionId: ids.alpha },
    });
    expect(toy?.updatedAt).toBeInstanceOf(Date);
  });
});

describe('listBenchmarks', () => {
  it('counts versions and submissions of each benchmark and states its upload limit', async () => {
    expect((await listBenchmarks(p)).find((b) => b.id === 'toy-qa')).toEqual(
      expect.objectContaining({ id: 'toy-qa', latestVersion: 1, submissions: 6, maxArtifactBytes: 4096 }),
    );
  });
});

describe('leaderboard freshness', () => {
  it('shows a new result at once: a recorded report invalidates the cached board', async () => {
    const board = await newBoard();
    await addEntry('iota', { acc: [90, 85, 95], ms: 30 }, board);
    const before = await leaderboard(p, { benchmark: board });
    expect(await leaderboard(p, { benchmark: board })).toBe(before); // served from the cache
    await addEntry('zeta', { acc: [95, 93, 97], ms: 50 }, board);
    const after = await leaderboard(p, { benchmark: board });
    expect(after.rows.map((r) => r.method)).toEqual(['Method zeta', 'Method iota']);
    expect([before.total, after.total]).toEqual([1, 2]);
  });
});

describe('tie groups by a paired test', () => {
  it('joins adjacent entries whose intervals are apart but whose per-example results are not significantly different', async () => {
    // intervals far apart, but the two differ on one example of eight: exact McNemar with b = 1, c = 0
    // gives p = min(1, 2 · ½) = 1, so they are tied
    const board = await newBoard();
    await addEntry('kappa', { acc: [50, 45, 55], ms: 5 }, board);
    await addEntry('eta', { acc: [25, 24, 26], ms: 1, verdicts: [1, 1, 0, 0, 0, 0, 0, 0] }, board);
    await addEntry('theta', { acc: [12.5, 12, 13], ms: 1, verdicts: [1, 0, 0, 0, 0, 0, 0, 0] }, board);
    // kappa's rows (one example) do not reproduce its score over n = 5: the intervals decide, and
    // [45, 55] and [24, 26] are apart, so it keeps its own group
    const b = await leaderboard(p, { benchmark: board });
    const row = (m: string) => b.rows.find((r) => r.method === `Method ${m}`);
    expect(row('eta')?.group).toBe(row('theta')?.group);
    expect([row('eta')?.tied, row('theta')?.tied]).toEqual([true, true]);
    expect(row('theta')?.tie).toEqual({ test: 'mcnemar-exact', p: 1, tied: true, n: 8, onlyAbove: 1, onlyThis: 0 });
    expect(row('eta')?.tie).toEqual({ test: 'ci-overlap', p: null, tied: false, fallback: 'not-the-ranked-metric' });
    expect(b.rows.map((r) => [r.method, r.rank, r.group])).toEqual([
      ['Method kappa', 1, 1],
      ['Method eta', 2, 2],
      ['Method theta', 3, 2],
    ]);
  });
});
