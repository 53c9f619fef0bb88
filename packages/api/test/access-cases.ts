import {
  type Actor,
  cancelSubmission,
  createApiToken,
  createRunnerToken,
  listVersions,
  proposeCorrection,
  readBlobText,
  reviewCorrection,
  setMember,
  submit,
} from '@trueboard/core';
import { datasetVersions } from '@trueboard/db';
import { goodPredictions, makeUser } from '@trueboard/testkit';
import { and, eq } from 'drizzle-orm';
import type { RoleName, World } from './access-world';

/**
 * The input of every call the authorization matrix makes: one or more cases per procedure, each
 * with real objects (own, another team's, private, public) so the checks in core run, not just
 * the procedure tier's. A case that changes what it acts on makes a fresh object for each caller,
 * so every caller meets the same situation. Case names are `<procedure>` or `<procedure> <target>`.
 */
export type CaseInput = (w: World, role: RoleName, actor: Actor) => unknown | Promise<unknown>;

let n = 0;
const next = () => ++n;
/** a different example for every correction made, so approved ones never clash at a release */
let example = 0;
const nextExample = () => String(example++);

const someone = (w: World, actor: Actor) => (actor.kind === 'user' ? actor : w.bystander.actor);

const freshSubmission = async (w: World, who: Actor, method: string, benchmark = 'toy-qa') =>
  submit(w.p, who, { benchmark, method }, goodPredictions({ q1: `matrix ${next()}` }));

/** a fresh submission cancelled by its submitter: rerun may queue it again */
const cancelled = async (w: World, who: Actor, method: string, benchmark?: string) => {
  const s = await freshSubmission(w, who, method, benchmark);
  await cancelSubmission(w.p, who, s.id);
  return s;
};

const propose = (w: World, who: Actor, benchmark: string) =>
  proposeCorrection(w.p, who, {
    benchmark,
    exampleId: nextExample(),
    fields: { question: `Reworded question ${next()}?` },
    category: 'ambiguous_question',
    rationale: 'the matrix needs a correction',
  });

/** a correction proposed by the bystander and approved by the platform admin (quorum 1) */
const approved = async (w: World, benchmark: string) => {
  const c = await propose(w, w.bystander.actor, benchmark);
  await reviewCorrection(w.p, w.cast.admin.actor, { id: c.id, decision: 'approve' });
  return c;
};

/** the annotation files of the latest version of a benchmark, with one example's question changed */
const correctedCopy = async (w: World, benchmark: string) => {
  const [latest] = await listVersions(w.p, benchmark);
  const [v] = await w.p.db
    .select()
    .from(datasetVersions)
    .where(and(eq(datasetVersions.benchmarkId, benchmark), eq(datasetVersions.number, latest?.number ?? 1)));
  const text = async (path: string) => readBlobText(w.p, v?.files.find((f) => f.path === path)?.sha256 ?? '');
  const dev = JSON.parse(await text('dev.json')) as { question: string }[];
  const i = Number(nextExample());
  const ex = dev[i];
  if (ex) ex.question = `Imported question ${next()}?`;
  return { 'dev.json': JSON.stringify(dev), 'dev_gold.sql': await text('dev_gold.sql') };
};

/** a user added to a team by its owner, for the caller to remove */
const addedMember = async (w: World, team: 'acme' | 'globex') => {
  const u = await makeUser(w.p, { name: `joiner${next()}` });
  const owner = team === 'acme' ? w.cast.acme.owner : w.globex.owner;
  await setMember(w.p, owner.actor, { team, email: u.email, role: 'member' });
  return u;
};

const toyManifest = (ownerTeam: string) => ({
  id: `registered-${next()}`,
  name: 'Registered',
  family: 'text2sql',
  ownerTeam,
  metrics: [{ name: 'accuracy', label: 'Accuracy' }],
  primaryMetric: 'accuracy',
  files: ['gold.json'],
});
/** the toy benchmark's stored gold.json: registering needs files already uploaded */
const toyFiles = async (w: World) => {
  const [v] = await w.p.db.select().from(datasetVersions).where(eq(datasetVersions.benchmarkId, 'toy-qa'));
  return v?.files;
};

export const CASES: Record<string, CaseInput> = {
  'auth.me': () => undefined,
  'auth.signUp': () => ({ email: `matrix${next()}@example.org`, name: 'M', password: 'long enough password' }),
  'auth.signIn': (w) => ({ email: w.people.outsider.email, password: w.people.outsider.password }),
  'auth.signOut': () => undefined,

  'tokens.list': () => undefined,
  'tokens.create': () => ({ name: 'matrix' }),
  'tokens.revoke own': async (w, _r, a) => ({ id: (await createApiToken(w.p, someone(w, a), { name: 'mine' })).id }),
  'tokens.revoke of another user': async (w) => ({
    id: (await createApiToken(w.p, w.bystander.actor, { name: 'theirs' })).id,
  }),
  'runnerTokens.list': () => undefined,
  'runnerTokens.create': () => ({ name: 'matrix' }),
  'runnerTokens.revoke': async (w) => ({
    id: (await createRunnerToken(w.p, w.cast.admin.actor, { name: `r${next()}` })).id,
  }),

  'teams.mine': () => undefined,
  'teams.create': () => ({ slug: `matrix-${next()}`, name: 'Matrix' }),
  'teams.members acme': () => ({ team: 'acme' }),
  'teams.members globex': () => ({ team: 'globex' }),
  'teams.setMember acme': async (w) => ({
    team: 'acme',
    email: (await makeUser(w.p, { name: `new${next()}` })).email,
    role: 'member',
  }),
  'teams.setMember globex': async (w) => ({
    team: 'globex',
    email: (await makeUser(w.p, { name: `new${next()}` })).email,
    role: 'member',
  }),
  'teams.removeMember acme': async (w) => ({ team: 'acme', email: (await addedMember(w, 'acme')).email }),
  'teams.removeMember globex': async (w) => ({ team: 'globex', email: (await addedMember(w, 'globex')).email }),

  'benchmarks.list': () => undefined,
  'benchmarks.summaries': () => undefined,
  'benchmarks.get': () => ({ id: 'toy-qa' }),
  'benchmarks.versions': () => ({ id: 'toy-qa' }),
  'benchmarks.leaderboard': () => ({ benchmark: 'toy-qa' }),
  // acme is on the allow-list of teams whose maintainers may register benchmarks; globex is not
  'benchmarks.register for acme': async (w) => ({ manifest: toyManifest('acme'), files: await toyFiles(w) }),
  'benchmarks.register for globex': async (w) => ({ manifest: toyManifest('globex'), files: await toyFiles(w) }),

  'methods.create acme': () => ({ team: 'acme', name: `Method ${next()}` }),
  'methods.create globex': () => ({ team: 'globex', name: `Method ${next()}` }),
  'methods.list': () => ({ team: 'acme' }),

  'submissions.list': () => ({ benchmark: 'toy-qa' }),
  'submissions.get public': (w) => ({ id: w.subs.acmePublic.id }),
  'submissions.get private, acme': (w) => ({ id: w.subs.acmePrivate.id }),
  'submissions.get private, globex': (w) => ({ id: w.subs.globexPrivate.id }),
  'submissions.result public': (w) => ({ id: w.subs.acmePublic.id }),
  'submissions.result private, acme': (w) => ({ id: w.subs.acmePrivate.id }),
  'submissions.result private, globex': (w) => ({ id: w.subs.globexPrivate.id }),
  'submissions.examples public': (w) => ({ id: w.subs.acmePublic.id }),
  'submissions.examples private, acme': (w) => ({ id: w.subs.acmePrivate.id }),
  'submissions.examples private, globex': (w) => ({ id: w.subs.globexPrivate.id }),
  'submissions.logs public': (w) => ({ runId: w.subs.acmePublic.runId, submissionId: w.subs.acmePublic.id }),
  'submissions.logs private, acme': (w) => ({ runId: w.subs.acmePrivate.runId, submissionId: w.subs.acmePrivate.id }),
  'submissions.logs private, globex': (w) => ({
    runId: w.subs.globexPrivate.runId,
    submissionId: w.subs.globexPrivate.id,
  }),
  'submissions.reproduction public': (w) => ({ id: w.subs.acmePublic.id }),
  'submissions.reproduction private, acme': (w) => ({ id: w.subs.acmePrivate.id }),
  'submissions.reproduction private, globex': (w) => ({ id: w.subs.globexPrivate.id }),
  // submitted by acme's member: the submitter, acme's maintainers and platform admins may cancel
  'submissions.cancel acme': async (w) => ({
    id: (await freshSubmission(w, w.actors.member, w.cast.method.id)).id,
  }),
  'submissions.cancel globex': async (w) => ({
    id: (await freshSubmission(w, w.globex.owner.actor, w.globexSecret.id)).id,
  }),
  'submissions.rerun acme': async (w) => ({ id: (await cancelled(w, w.actors.member, w.cast.method.id)).id }),
  'submissions.rerun globex': async (w) => ({ id: (await cancelled(w, w.globex.owner.actor, w.globexSecret.id)).id }),
  // maintainers of the benchmark's team may rerun other teams' submissions to it
  'submissions.rerun globex, on acme benchmark': async (w) => ({
    id: (await cancelled(w, w.globex.owner.actor, w.globexSecret.id, 'spider-acme')).id,
  }),

  'system.health': () => undefined,
  'system.runners': () => undefined,
  'system.queue': () => undefined,

  'corrections.list': () => ({ benchmark: 'spider-acme' }),
  'corrections.get': async (w) => ({ id: (await propose(w, w.bystander.actor, 'spider-acme')).id }),
  'corrections.example': () => ({ benchmark: 'spider-acme', exampleId: '0' }),
  'corrections.version': () => ({ benchmark: 'spider-acme', version: 1 }),
  'corrections.diff': () => ({ benchmark: 'spider-acme', version: 1 }),
  'corrections.impact': () => ({ benchmark: 'spider-acme', from: 1, to: 1 }),
  'corrections.triage': () => ({ benchmark: 'spider-acme', version: 1 }),
  'corrections.propose': () => ({
    benchmark: 'spider-acme',
    exampleId: nextExample(),
    fields: { question: `Proposed question ${next()}?` },
    category: 'ambiguous_question',
    rationale: 'clearer',
  }),
  'corrections.importUpstream': async (w) => ({
    benchmark: 'spider-acme',
    files: await correctedCopy(w, 'spider-acme'),
    source: 'the matrix',
  }),
  'corrections.review acme benchmark': async (w) => ({
    id: (await propose(w, w.bystander.actor, 'spider-acme')).id,
    decision: 'approve',
  }),
  'corrections.review globex benchmark': async (w) => ({
    id: (await propose(w, w.bystander.actor, 'spider-globex')).id,
    decision: 'approve',
  }),
  'corrections.review own proposal': async (w, _r, a) => ({
    id: (await propose(w, someone(w, a), 'spider-acme')).id,
    decision: 'approve',
  }),
  'corrections.withdraw own': async (w, _r, a) => ({ id: (await propose(w, someone(w, a), 'spider-acme')).id }),
  'corrections.withdraw of another user': async (w) => ({
    id: (await propose(w, w.bystander.actor, 'spider-acme')).id,
  }),
  'corrections.release acme benchmark': async (w) => {
    await approved(w, 'spider-acme');
    return { benchmark: 'spider-acme' };
  },
  'corrections.release globex benchmark': async (w) => {
    await approved(w, 'spider-globex');
    return { benchmark: 'spider-globex' };
  },
};
