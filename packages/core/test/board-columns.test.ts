import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Leaderboard } from '@trueboard/contracts';
import {
  goodPredictions,
  makeTeam,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  testReport,
  testRunner,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  completeRun,
  createMethod,
  createRunnerToken,
  importBenchmarkDir,
  leaderboard,
  leaderboardCsv,
  registerRunner,
  resolveSecret,
  submit,
} from '../src/index';

/*
 * A board's family columns come from the family (packages/families: the LoRA family declares the
 * method's learning rate before its runner lands) and arrive on each row's generic `extra` map by
 * column key; no board row has a field of its own for any family. The toy text-to-SQL board
 * declares none.
 */
let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  // the toy benchmark as a LoRA benchmark: its jobs wait for a lora runner, registered below
  const dir = mkdtempSync(join(tmpdir(), 'tb-lora-board-'));
  cpSync(TOY_QA_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, id: 'toy-lora', family: 'lora' }));
  await importBenchmarkDir(p, cast.admin.actor, dir);
  const team = await makeTeam(p, 'adapters');
  const secret = (await createRunnerToken(p, cast.admin.actor, { name: 'lora runner' })).secret;
  const runner = await resolveSecret(p, secret);
  const { runnerId } = await registerRunner(p, runner, {
    hostname: 'h',
    device: 'cpu',
    families: ['lora'],
    version: 't',
  });
  const entries = [
    { name: 'DoRA r=8', hyperparameters: { learningRate: 0.0002, rank: 8 }, acc: 80 },
    { name: 'no learning rate', hyperparameters: {}, acc: 60 },
  ];
  for (const e of entries) {
    const m = await createMethod(p, team.owner.actor, {
      team: 'adapters',
      name: e.name,
      hyperparameters: e.hyperparameters,
    });
    await submit(p, team.owner.actor, { benchmark: 'toy-lora', method: m.id }, goodPredictions());
    const job = await claim(p, runner, { runnerId, families: ['lora'], waitSeconds: 0 });
    if (!job) throw new Error('no lora job queued');
    await completeRun(p, runner, job.runId, {
      report: testReport(job, {
        metrics: [{ name: 'accuracy', semantics: 'exact-match', value: e.acc, ci: null, n: 5 }],
        examples: [{ id: 'q1', verdict: 1, data: {} }],
      }),
    });
  }
  const toy = await testRunner(p, cast.runnerToken.secret);
  await submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, goodPredictions());
  await toy.scoreNext({
    metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 100, ci: null, n: 5 }],
    examples: [{ id: 'q1', verdict: 1, data: {} }],
  });
});
afterAll(() => p?.close());

describe("a family's board columns", () => {
  it("fill each row's `extra` from the method's hyperparameters, and the board has the contracts' shape", async () => {
    const board = await leaderboard(p, { benchmark: 'toy-lora' });
    expect(board.extraColumns).toEqual([
      { key: 'learning-rate', label: 'Learning rate', hyperparameter: 'learningRate' },
    ]);
    expect(board.rows.map((r) => [r.method, r.extra])).toEqual([
      ['DoRA r=8', { 'learning-rate': 0.0002 }],
      ['no learning rate', { 'learning-rate': null }],
    ]);
    for (const r of board.rows) expect(r).not.toHaveProperty('learningRate');
    expect(Leaderboard.parse(board)).toEqual(board);
  });

  it('are exported in the CSV after "unscorable", as the page shows them', async () => {
    const csv = leaderboardCsv(await leaderboard(p, { benchmark: 'toy-lora' })).split('\n');
    const head = csv[0]?.split(',') ?? [];
    expect(head.slice(head.indexOf('unscorable'), head.indexOf('unscorable') + 4)).toEqual([
      'unscorable',
      'tie_test',
      'tie_p',
      'learning-rate',
    ]);
    const at = head.indexOf('learning-rate');
    expect(csv.slice(1, 3).map((line) => line.split(',')[at])).toEqual(['0.0002', '']);
  });

  it('are none on a family that declares none, whatever the methods give', async () => {
    const board = await leaderboard(p, { benchmark: 'toy-qa' });
    expect(board.extraColumns).toEqual([]);
    expect(board.rows.map((r) => r.extra)).toEqual([{}]);
    expect(Leaderboard.parse(board)).toEqual(board);
    expect(leaderboardCsv(board).split('\n')[0]).not.toMatch(/learning/);
  });
});
