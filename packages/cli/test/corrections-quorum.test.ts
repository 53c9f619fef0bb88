import { getCorrection, proposeCorrection, reviewCorrection } from '@trueboard/core';
import { describe, expect, it } from 'vitest';
import { admin, p, proposer, reviewer, spiderCopy, withSpiderEnv } from './corrections-governance-setup';

/*
 * Review rules of the corrections workflow: a quorum of approvals from the benchmark's manifest, and
 * supersession of a proposal by its proposer. On a copy of the real Spider dev benchmark, on a
 * platform of this file's own (v1 of Spider dev with its three baselines scored).
 */

withSpiderEnv();

describe('quorum and supersession', () => {
  it('waits for the configured number of approvals, and lets a proposer replace their proposal', async () => {
    // the quorum comes from the benchmark's manifest, as a maintainer writes it
    await spiderCopy('spider-q2', { corrections: { quorum: 2 } });
    const first = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-q2',
      exampleId: '20',
      fields: { question: 'first wording' },
      category: 'ambiguous_question',
      rationale: 'test quorum',
    });
    const second = await proposeCorrection(p, proposer.actor, {
      benchmark: 'spider-q2',
      exampleId: '20',
      fields: { question: 'better wording' },
      category: 'ambiguous_question',
      rationale: 'test quorum, revised',
      supersedes: first.id,
    });
    expect((await getCorrection(p, first.id)).state).toBe('superseded');
    expect((await getCorrection(p, first.id)).supersededBy).toBe(second.id);
    // a superseded proposal can no longer be reviewed
    await expect(reviewCorrection(p, reviewer.actor, { id: first.id, decision: 'approve' })).rejects.toThrow(
      /superseded/,
    );
    expect(await reviewCorrection(p, reviewer.actor, { id: second.id, decision: 'approve' })).toMatchObject({
      state: 'proposed',
    });
    await expect(reviewCorrection(p, reviewer.actor, { id: second.id, decision: 'approve' })).rejects.toThrow(
      /already reviewed/,
    );
    expect(await reviewCorrection(p, admin.actor, { id: second.id, decision: 'approve' })).toMatchObject({
      state: 'approved',
    });
    const c = await getCorrection(p, second.id);
    expect([c.quorum, c.reviews.length]).toEqual([2, 2]);
  });
});
