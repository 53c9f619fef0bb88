import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  appendLogs,
  claim,
  completeRun,
  createMethod,
  importBenchmarkDir,
  registerRunner,
  resolveSecret,
  submit,
} from '@trueboard/core';
import { benchmarks } from '@trueboard/db';
import {
  goodPredictions,
  makeTeam,
  makeUser,
  type TestPlatform,
  testPlatform,
  testReport,
  toyScenario,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';

/**
 * The callers every authorization test walks: signed out, a runner token, a signed-in user of no
 * team, the four roles of team "acme", and a platform admin.
 */
export const ROLES = [
  'anonymous',
  'runner',
  'outsider',
  'member',
  'reviewer',
  'maintainer',
  'teamAdmin',
  'platformAdmin',
] as const;
export type RoleName = (typeof ROLES)[number];

/** Examples in each Spider-layout benchmark: every correction a test makes gets an example of its own. */
export const SPIDER_EXAMPLES = 400;

/** A small Spider-layout benchmark (dev.json + dev_gold.sql): corrections need an annotation format. */
function spiderDir(id: string, ownerTeam: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tb-${id}-`));
  const dev = Array.from({ length: SPIDER_EXAMPLES }, (_, i) => ({
    db_id: 'shop',
    query: `SELECT ${i}`,
    question: `Question ${i}?`,
  }));
  writeFileSync(join(dir, 'dev.json'), `${JSON.stringify(dev, null, 2)}\n`);
  writeFileSync(join(dir, 'dev_gold.sql'), dev.map((e) => `${e.query}\t${e.db_id}\n`).join(''));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      id,
      name: id,
      family: 'text2sql',
      ownerTeam,
      metrics: [{ name: 'accuracy', label: 'Accuracy' }],
      primaryMetric: 'accuracy',
      files: ['dev.json', 'dev_gold.sql'],
      limits: { dailyQuota: 100_000 },
    }),
  );
  return dir;
}

export interface ScoredSubmission {
  id: string;
  runId: string;
  /** the method's name, which outsiders must not learn for a private submission */
  method: string;
  /** the line its run logged */
  log: string;
  artifact: { bytes: Uint8Array; sha256: string };
}

/**
 * A platform with real objects of every kind a permission depends on: team "acme" (the roles'
 * team) and team "globex" (another team), the toy benchmark (owned by the admins' team) and two
 * Spider-layout benchmarks owned by acme and by globex, and three scored submissions with a log
 * line each: acme's public one, acme's private one and globex's private one.
 */
export async function buildWorld() {
  const p: TestPlatform = await testPlatform({
    // acme's maintainers may register benchmarks for acme
    benchmarkTeams: ['acme'],
    // the matrix makes many proposals, teams and submissions: limits are tested elsewhere
    proposalsPerHour: 100_000,
    userDaily: { submissions: 100_000, bytes: 2 ** 40, teams: 100 },
  });
  const cast = await toyScenario(p);
  await p.db.update(benchmarks).set({ dailyQuota: 100_000 }).where(eq(benchmarks.id, 'toy-qa'));
  const globex = await makeTeam(p, 'globex');
  const outsider = await makeUser(p, { name: 'outsider' });
  // owns tokens and proposes corrections that are nobody's among the roles
  const bystander = await makeUser(p, { name: 'bystander' });
  await importBenchmarkDir(p, cast.admin.actor, spiderDir('spider-acme', 'acme'));
  await importBenchmarkDir(p, cast.admin.actor, spiderDir('spider-globex', 'globex'));
  const acmeSecret = await createMethod(p, cast.acme.owner.actor, { team: 'acme', name: 'Acme secret method' });
  const globexSecret = await createMethod(p, globex.owner.actor, { team: 'globex', name: 'Globex secret method' });
  const runner = await resolveSecret(p, cast.runnerToken.secret);
  const { runnerId } = await registerRunner(p, runner, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  const scored = async (who: Actor, method: { id: string; name: string }, isPublic: boolean) => {
    const bytes = goodPredictions({ q1: method.name });
    const s = await submit(p, who, { benchmark: 'toy-qa', method: method.id, isPublic }, bytes);
    const job = await claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });
    if (job?.submissionId !== s.id) throw new Error('world: expected the job of the new submission');
    const log = `evaluating ${method.name}`;
    await appendLogs(p, runner, job.runId, { lines: [{ level: 'info', message: log }] });
    const examples = ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, verdict: id === 'q1' ? 0 : 1, data: {} }));
    const metrics = [{ name: 'accuracy', semantics: 'exact-match', value: 80, ci: null, n: 5 }];
    await completeRun(p, runner, job.runId, { report: testReport(job, { metrics, examples }) });
    const artifact = { bytes, sha256: s.artifact.sha256 };
    return { id: s.id, runId: s.runId, method: method.name, log, artifact } satisfies ScoredSubmission;
  };
  const subs = {
    acmePublic: await scored(cast.acme.owner.actor, cast.method, true),
    acmePrivate: await scored(cast.acme.owner.actor, acmeSecret, false),
    globexPrivate: await scored(globex.owner.actor, globexSecret, false),
  };
  const member = (role: 'member' | 'reviewer' | 'maintainer') => {
    const m = cast.acme.members[role];
    if (!m) throw new Error(`world: no acme ${role}`);
    return m;
  };
  const actors: Record<RoleName, Actor> = {
    anonymous: { kind: 'anonymous' },
    runner,
    outsider: outsider.actor,
    member: member('member').actor,
    reviewer: member('reviewer').actor,
    maintainer: member('maintainer').actor,
    teamAdmin: cast.acme.owner.actor,
    platformAdmin: cast.admin.actor,
  };
  /** the email and password of each signed-in role, for tokens and sign-ins */
  const people = {
    outsider,
    member: member('member'),
    reviewer: member('reviewer'),
    maintainer: member('maintainer'),
    teamAdmin: cast.acme.owner,
    platformAdmin: cast.admin,
  };
  return { p, cast, actors, people, globex, globexSecret, acmeSecret, bystander, subs };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;
