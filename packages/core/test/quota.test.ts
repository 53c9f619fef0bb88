import { createHash } from 'node:crypto';
import { submissions } from '@trueboard/db';
import { goodPredictions, makeTeam, makeUser, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  cancelSubmission,
  createMethod,
  createTeam,
  DomainError,
  type SubmitOptions,
  setMember,
  submit,
} from '../src/index';
import { lockGate } from './lock-gate';

/*
 * Quotas over a rolling 24 hours: per team and benchmark (toy-qa allows 3) and per user. Every test
 * makes its own team and users, so what it counts is only what it made. Time moves by setting
 * `submitted_at` in the database; overlapping submissions are made to meet where a race would be
 * by holding a lock both need (lock-gate.ts), not by sleeping.
 */

const DAY = 86_400_000;
const MINUTE = 60_000;

type Cast = Awaited<ReturnType<typeof toyScenario>>;
let n = 0;

const refusal = (e: unknown) =>
  e instanceof DomainError ? { code: e.code, message: e.message, details: e.details } : { thrown: String(e) };
const outcome = (r: Promise<{ id: string }>) => r.then((s) => ({ id: s.id }), refusal);

/** A new team with a method, on toy-qa; `send` submits a fresh artifact as `who` (the owner by default). */
async function quotaTeam(p: TestPlatform, roles: ('member' | 'maintainer')[] = []) {
  const t = await makeTeam(p, `quota-${++n}`, roles);
  const method = await createMethod(p, t.owner.actor, { team: t.team.slug, name: 'Method' });
  const send = (who: Actor = t.owner.actor, opts: SubmitOptions = {}, bytes = goodPredictions({ q1: `a${++n}` })) =>
    submit(p, who, { benchmark: 'toy-qa', method: method.id }, bytes, opts);
  const member = (role: 'member' | 'maintainer') => {
    const m = t.members[role];
    if (!m) throw new Error(`no ${role}`);
    return m.actor;
  };
  return { ...t, method, send, member };
}

const submittedAt = async (p: TestPlatform, id: string) => {
  const [row] = await p.db.select({ at: submissions.submittedAt }).from(submissions).where(eq(submissions.id, id));
  if (!row) throw new Error(`no submission ${id}`);
  return row.at;
};
const moveBack = (p: TestPlatform, id: string, ms: number) =>
  p.db
    .update(submissions)
    .set({ submittedAt: new Date(Date.now() - ms) })
    .where(eq(submissions.id, id));

const teamFull = (freeAt: Date) => ({
  code: 'quota_exceeded',
  message: `daily quota reached: your team made 3 of 3 submissions to "toy-qa" in the last 24 hours; the next slot frees at ${freeAt.toISOString()}`,
  details: { used: 3, limit: 3, freeAt: freeAt.toISOString() },
});

/** Fresh bytes, and a gate that holds their artifact row: both racers queue at its insert (or before). */
async function raceGate(p: TestPlatform) {
  const bytes = goodPredictions({ q1: `race ${++n}` });
  const sha = createHash('sha256').update(bytes).digest('hex');
  const gate = await lockGate(
    p.url,
    `insert into artifacts (sha256, size, media_type, storage_key) values ($1, $2, 'application/octet-stream', $3)`,
    [sha, bytes.length, `${sha.slice(0, 2)}/${sha}`],
  );
  return { bytes, gate };
}

describe('team quota', () => {
  let p: TestPlatform;
  let cast: Cast;
  beforeAll(async () => {
    p = await testPlatform();
    cast = await toyScenario(p);
  });
  afterAll(() => p.close());

  it('frees a slot when the oldest submission leaves the rolling 24 hours, and not a minute before', async () => {
    const t = await quotaTeam(p);
    const [a, b] = [await t.send(), await t.send(), await t.send()];
    await moveBack(p, a.id, DAY - MINUTE);
    expect(await outcome(t.send())).toEqual(teamFull(new Date((await submittedAt(p, a.id)).getTime() + DAY)));
    await moveBack(p, a.id, DAY + MINUTE);
    expect(await outcome(t.send())).toMatchObject({ id: expect.any(String) });
    // the window now holds b, c and the new one: full again until b leaves it
    expect(await outcome(t.send())).toEqual(teamFull(new Date((await submittedAt(p, b.id)).getTime() + DAY)));
  });

  it('does not count baselines, and takes a baseline when the team is full', async () => {
    const t = await quotaTeam(p);
    // a maintainer of the benchmark's team who also belongs to the submitting team
    const curator = await makeUser(p, { name: 'curator' });
    await setMember(p, cast.admin.actor, { team: 'maintainers', email: curator.email, role: 'maintainer' });
    await setMember(p, t.owner.actor, { team: t.team.slug, email: curator.email, role: 'member' });
    for (let i = 0; i < 3; i++) await t.send(curator.actor, { isBaseline: true });
    const first = await t.send();
    await t.send();
    await t.send();
    expect(await outcome(t.send())).toEqual(teamFull(new Date((await submittedAt(p, first.id)).getTime() + DAY)));
    expect(await outcome(t.send(curator.actor, { isBaseline: true }))).toMatchObject({ id: expect.any(String) });
  });

  it('gives the slot back when a platform admin cancels, not when the submitter or a maintainer does', async () => {
    const t = await quotaTeam(p, ['member', 'maintainer']);
    const member = t.member('member');
    const [a, b, c] = [await t.send(member), await t.send(member), await t.send(member)];
    const full = teamFull(new Date((await submittedAt(p, a.id)).getTime() + DAY));
    await cancelSubmission(p, member, a.id);
    expect(await outcome(t.send())).toEqual(full);
    await cancelSubmission(p, t.member('maintainer'), b.id);
    expect(await outcome(t.send())).toEqual(full);
    await cancelSubmission(p, cast.admin.actor, c.id);
    const rows = await p.db
      .select({ id: submissions.id, counts: submissions.countsTowardQuota, state: submissions.state })
      .from(submissions)
      .where(eq(submissions.teamId, t.team.id));
    expect(Object.fromEntries(rows.map((r) => [r.id, `${r.state}, counts ${r.counts}`]))).toEqual({
      [a.id]: 'cancelled, counts true',
      [b.id]: 'cancelled, counts true',
      [c.id]: 'cancelled, counts false',
    });
    expect(await outcome(t.send())).toMatchObject({ id: expect.any(String) });
    expect(await outcome(t.send())).toEqual(full);
  });

  it('lets exactly one of two overlapping submissions take the last slot', async () => {
    const t = await quotaTeam(p, ['member', 'maintainer']);
    const first = await t.send();
    await t.send();
    // two users, so only the team's lock (not a user's) can keep them apart
    const { bytes, gate } = await raceGate(p);
    const racers = [t.member('member'), t.member('maintainer')].map((who) => outcome(t.send(who, {}, bytes)));
    try {
      await gate.queued(2);
    } finally {
      await gate.open();
    }
    const outcomes = await Promise.all(racers);
    expect(outcomes.filter((o) => 'id' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => !('id' in o))).toEqual([
      teamFull(new Date((await submittedAt(p, first.id)).getTime() + DAY)),
    ]);
    expect(await p.db.select().from(submissions).where(eq(submissions.teamId, t.team.id))).toHaveLength(3);
  });
});

describe('user quota', () => {
  let p: TestPlatform;
  let cast: Cast;
  beforeAll(async () => {
    p = await testPlatform({ userDaily: { submissions: 2, bytes: 2 ** 30, teams: 5 } });
    cast = await toyScenario(p);
  });
  afterAll(() => p.close());

  /** a user with two teams of their own, each with a method: the teams' quotas never bind */
  async function twoTeamUser() {
    const u = await makeUser(p, { name: 'solo' });
    const methods: string[] = [];
    for (let i = 0; i < 2; i++) {
      const team = await createTeam(p, u.actor, { slug: `solo-${++n}`, name: 'Solo' });
      methods.push((await createMethod(p, u.actor, { team: team.slug, name: 'Method' })).id);
    }
    const send = (i: 0 | 1, bytes = goodPredictions({ q1: `u${++n}` }), opts: SubmitOptions = {}) =>
      submit(p, u.actor, { benchmark: 'toy-qa', method: methods[i] }, bytes, opts);
    return { u, send };
  }
  const userFull = (freeAt: Date) => ({
    code: 'quota_exceeded',
    message: `daily quota reached: you made 2 of 2 submissions in the last 24 hours (all teams); the next slot frees at ${freeAt.toISOString()}`,
    details: { used: 2, limit: 2, freeAt: freeAt.toISOString() },
  });

  it('frees a slot when the oldest submission leaves the rolling 24 hours', async () => {
    const { send } = await twoTeamUser();
    const a = await send(0);
    const b = await send(1);
    await moveBack(p, a.id, DAY - MINUTE);
    expect(await outcome(send(0))).toEqual(userFull(new Date((await submittedAt(p, a.id)).getTime() + DAY)));
    await moveBack(p, a.id, DAY + MINUTE);
    expect(await outcome(send(0))).toMatchObject({ id: expect.any(String) });
    expect(await outcome(send(1))).toEqual(userFull(new Date((await submittedAt(p, b.id)).getTime() + DAY)));
  });

  it('does not count baselines', async () => {
    const { u, send } = await twoTeamUser();
    // the maintainer role in the benchmark's team is what allows baselines
    await setMember(p, cast.admin.actor, { team: 'maintainers', email: u.email, role: 'maintainer' });
    const a = await send(0);
    for (let i = 0; i < 2; i++) await send(0, undefined, { isBaseline: true });
    expect(await outcome(send(1))).toMatchObject({ id: expect.any(String) });
    expect(await outcome(send(1))).toEqual(userFull(new Date((await submittedAt(p, a.id)).getTime() + DAY)));
  });

  it("lets exactly one of two overlapping submissions to two teams take the user's last slot", async () => {
    const { u, send } = await twoTeamUser();
    const first = await send(0);
    const { bytes, gate } = await raceGate(p);
    const racers = ([0, 1] as const).map((i) => outcome(send(i, bytes)));
    try {
      await gate.queued(2);
    } finally {
      await gate.open();
    }
    const outcomes = await Promise.all(racers);
    expect(outcomes.filter((o) => 'id' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => !('id' in o))).toEqual([
      userFull(new Date((await submittedAt(p, first.id)).getTime() + DAY)),
    ]);
    expect(await p.db.select().from(submissions).where(eq(submissions.submittedBy, u.id))).toHaveLength(2);
  });
});
