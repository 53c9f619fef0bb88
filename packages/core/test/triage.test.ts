import type { ExampleResult } from '@trueboard/contracts';
import { goodPredictions, type TestPlatform, testPlatform, testRunner, toyScenario } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit, triage } from '../src/index';

/*
 * Triage reads its signals through the benchmark's family module (toy-qa is a text-to-SQL
 * benchmark, so its rows here are shaped like that evaluator's). The expected scores follow the
 * rules in impact.ts: a failing gold +3, an empty gold answer +1, every system wrong +1, and when
 * at least two of the n wrong systems give the same answer, + (agreeing / n) + 1.
 */

let p: TestPlatform;

const preview = (rows: string[][]) => ({ columns: ['a'], rows, total: rows.length });
const summary = (i: number) => ({ db_id: 'shop', question: `Q${i}`, gold_sql: `SELECT ${i}` });

/** System `s`'s rows for examples 1–7 (1 and 4 as evaluators before `data.unscorable` stored them). */
function rowsOf(s: number): ExampleResult[] {
  return [
    // 1: the gold query fails for everyone
    { id: '1', verdict: null, reason: 'gold query timed out after 60000 ms', data: summary(1) },
    // 2: the gold returns nothing; everyone is wrong, systems 0 and 1 agree
    {
      id: '2',
      verdict: 0,
      data: { ...summary(2), gold_preview: preview([]), pred_preview: preview([[s === 2 ? 'y' : 'x']]) },
    },
    // 3: one system is right
    { id: '3', verdict: s === 0 ? 1 : 0, data: summary(3) },
    // 4: unscorable, but not because of its gold
    { id: '4', verdict: null, reason: 'database shop is missing', data: summary(4) },
    // 5: everyone is wrong, each differently
    { id: '5', verdict: 0, data: { ...summary(5), pred_sql: `SELECT ${s}` } },
    // 6: the gold fails, said by the structured field (the reason is only shown)
    { id: '6', verdict: null, reason: 'the gold SQL broke', data: { ...summary(6), unscorable: 'gold_failed' } },
    // 7: the field wins over a reason worded like a failing gold
    { id: '7', verdict: null, reason: 'gold query timed out', data: { ...summary(7), unscorable: 'database_missing' } },
  ];
}

beforeAll(async () => {
  p = await testPlatform();
  const cast = await toyScenario(p);
  const runner = await testRunner(p, cast.runnerToken.secret);
  for (let s = 0; s < 3; s++) {
    await submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, goodPredictions());
    await runner.scoreNext({
      metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 20, ci: null, n: 5 }],
      examples: rowsOf(s),
    });
  }
});
afterAll(() => p?.close());

describe('triage', () => {
  it("ranks suspicious gold by the family's signals and carries the family's summary fields", async () => {
    expect(await triage(p, { benchmark: 'toy-qa', version: 1 })).toEqual([
      {
        exampleId: '2',
        score: 1 + 1 + 2 / 3 + 1,
        signals: ['the gold query returns no rows', 'every system is wrong, and 2 of 3 return the same result'],
        systems: 3,
        wrong: 3,
        data: summary(2),
      },
      {
        exampleId: '1',
        score: 3,
        signals: ['the gold query fails (gold query timed out after 60000 ms)'],
        systems: 3,
        wrong: 0,
        data: summary(1),
      },
      {
        exampleId: '6',
        score: 3,
        signals: ['the gold query fails (the gold SQL broke)'],
        systems: 3,
        wrong: 0,
        data: summary(6),
      },
      { exampleId: '5', score: 1, signals: ['every system (3) is wrong'], systems: 3, wrong: 3, data: summary(5) },
    ]);
  });

  it('names the version it cannot find', async () => {
    await expect(triage(p, { benchmark: 'toy-qa', version: 9 })).rejects.toThrow('version 9 of "toy-qa" not found');
  });
});
