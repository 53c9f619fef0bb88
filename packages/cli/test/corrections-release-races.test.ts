import { buffer } from 'node:stream/consumers';
import {
  DomainError,
  getCorrection,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  versionFile,
} from '@trueboard/core';
import { corrections, datasetVersions } from '@trueboard/db';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  admin,
  approvedCorrection,
  p,
  proposer,
  reviewer,
  spiderCopy,
  versionNumbers,
  withSpiderEnv,
} from './corrections-governance-setup';

/*
 * Two releases of the same benchmark at once: they are serialised, and neither releases a correction
 * twice nor numbers a version twice. On copies of the real Spider dev benchmark, on a platform of this
 * file's own (v1 of Spider dev with its three baselines scored).
 */

withSpiderEnv();

const settle = <T>(q: Promise<T>) =>
  q.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/** Waits until `n` sessions of this database wait for a row lock they asked for (a state, polled). */
async function waitForLockWaits(n: number) {
  for (let i = 0; i < 1000; i++) {
    // the release's FOR UPDATE reads only (the queue's own statements skip locked rows)
    const [r] = await p.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for update%'`;
    if (r?.n === n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${n} sessions never waited for a lock`);
}

describe('two releases at once', () => {
  it('of the same approved corrections: one makes the version, the other finds nothing left to release', async () => {
    const id = await spiderCopy('spider-twice');
    const c = await approvedCorrection(id, '3', { question: 'How many singers do we have in all?' });
    const outcomes = await Promise.all([0, 1].map(() => settle(releaseVersion(p, admin.actor, { benchmark: id }))));
    expect(outcomes.filter((o) => 'value' in o).map((o) => o.value)).toEqual([
      { version: 2, corrections: 1, rescoring: 0 },
    ]);
    const refused = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(DomainError);
    expect(refused[0]).toMatchObject({
      code: 'bad_input',
      message: `bad input: "${id}" has no approved corrections to release`,
    });
    expect(await versionNumbers(id)).toEqual([1, 2]);
    expect((await getCorrection(p, c.id)).history.map((h) => h.action)).toEqual([
      'correction.proposed',
      'correction.reviewed',
      'correction.approved',
      'correction.released',
    ]);
  });

  it('one after the other: the later one builds on the earlier one’s version, with the next number', async () => {
    const id = await spiderCopy('spider-race');
    const c1 = await approvedCorrection(id, '3', { question: 'first release' });
    const c2 = await proposeCorrection(p, proposer.actor, {
      benchmark: id,
      exampleId: '4',
      fields: { question: 'second release' },
      category: 'ambiguous_question',
      rationale: 'approved while the first release is under way',
    });
    // another session holds c1, so the first release stops inside its transaction once it has
    // locked the benchmark and read its parent version (v1)
    let letGo = () => {};
    const held = new Promise<void>((r) => {
      letGo = r;
    });
    let holding = () => {};
    const locked = new Promise<void>((r) => {
      holding = r;
    });
    const holder = p.sql.begin(async (tx) => {
      await tx`select id from corrections where id = ${c1.id} for share`;
      holding();
      await held;
    });
    await locked;
    try {
      const first = settle(releaseVersion(p, admin.actor, { benchmark: id }));
      await waitForLockWaits(1);
      // c2 is approved meanwhile, and a second release starts: it must wait for the first and then
      // release c2 on top of the first one's version
      await reviewCorrection(p, reviewer.actor, { id: c2.id, decision: 'approve' });
      const second = settle(releaseVersion(p, admin.actor, { benchmark: id }));
      await waitForLockWaits(2);
      letGo();
      await holder;
      expect(await first).toEqual({ value: { version: 2, corrections: 1, rescoring: 0 } });
      expect(await second).toEqual({ value: { version: 3, corrections: 1, rescoring: 0 } });
    } finally {
      letGo();
      await holder;
    }
    const versions = await p.db
      .select()
      .from(datasetVersions)
      .where(eq(datasetVersions.benchmarkId, id))
      .orderBy(asc(datasetVersions.number));
    expect(versions.map((v) => [v.number, versions.find((x) => x.id === v.parentId)?.number ?? null])).toEqual([
      [1, null],
      [2, 1],
      [3, 2],
    ]);
    expect(versions.map((v) => v.changedExamples)).toEqual([[], ['3'], ['4']]);
    // v3 carries both corrections
    const dev = async (n: number) =>
      JSON.parse((await buffer((await versionFile(p, id, n, 'dev.json')).open())).toString('utf8')) as {
        question: string;
      }[];
    expect((await dev(3)).slice(3, 5).map((e) => e.question)).toEqual(['first release', 'second release']);
    expect((await dev(2)).slice(3, 5).map((e) => e.question)).toEqual(['first release', (await dev(1))[4]?.question]);
    const released = await p.db
      .select({ id: corrections.id, version: datasetVersions.number })
      .from(corrections)
      .innerJoin(datasetVersions, eq(datasetVersions.id, corrections.releasedIn))
      .where(eq(corrections.benchmarkId, id))
      .orderBy(asc(datasetVersions.number));
    expect(released).toEqual([
      { id: c1.id, version: 2 },
      { id: c2.id, version: 3 },
    ]);
  });
});
