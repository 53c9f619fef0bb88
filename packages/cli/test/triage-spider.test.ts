import { triage } from '@trueboard/core';
import { exampleResults } from '@trueboard/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spiderPlatform } from './spider-platform';

/*
 * Triage on the real Spider dev board (the three baselines on v1) reads why a row is unscorable
 * from the rows' `data.unscorable`. Rows stored before that field existed say it only in their
 * reason, and triage reads those through its fallback: the same board stripped of the field (as the
 * previous evaluator stored it) must triage exactly as before.
 */
let env: Awaited<ReturnType<typeof spiderPlatform>>;

beforeAll(async () => {
  env = await spiderPlatform();
}, 600_000);
afterAll(() => env?.close());

it('triages the Spider baselines the same from the structured field as from the old reasons', async () => {
  const { p } = env;
  // the 62 wta_1 questions (database shipped without rows) of each of the three systems
  const kinds = await p.db.execute<{ kind: string | null; n: number }>(sql`
    select ${exampleResults.data}->>'unscorable' as kind, count(*)::int as n from ${exampleResults} group by 1 order by 1`);
  expect([...kinds]).toEqual([
    { kind: 'database_missing', n: 3 * 62 },
    { kind: null, n: 3 * (1034 - 62) },
  ]);
  const now = await triage(p, { benchmark: 'spider-dev', version: 1, limit: 100_000 });
  // something to compare: every system wrong on the same question, empty gold answers
  expect(now.length).toBeGreaterThan(50);
  expect(now.some((e) => e.signals.includes('the gold query returns no rows'))).toBe(true);
  // no Spider dev gold fails, and a missing database is not the gold's fault
  expect(now.filter((e) => e.signals.some((s) => s.startsWith('the gold query fails')))).toEqual([]);

  await p.db.execute(sql`update ${exampleResults} set data = data - 'unscorable'`);
  expect(await triage(p, { benchmark: 'spider-dev', version: 1, limit: 100_000 })).toEqual(now);
  // a row that says its gold failed, either way, is triaged for it
  const zero = async () =>
    (await triage(p, { benchmark: 'spider-dev', version: 1, limit: 100_000 })).find((e) => e.exampleId === '0');
  await p.db.execute(sql`
    update ${exampleResults} set reason = 'gold query timed out after 60000 ms', verdict = null
    where example_id = '0'`);
  expect((await zero())?.signals).toEqual(['the gold query fails (gold query timed out after 60000 ms)']);
  await p.db.execute(sql`
    update ${exampleResults} set reason = 'the gold SQL broke', data = data || '{"unscorable": "gold_failed"}'
    where example_id = '0'`);
  expect((await zero())?.signals).toEqual(['the gold query fails (the gold SQL broke)']);
}, 120_000);
