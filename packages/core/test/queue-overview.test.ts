import {
  goodPredictions,
  makeTeam,
  type TestPlatform,
  testPlatform,
  testReport,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  claim,
  completeRun,
  createMethod,
  currentResult,
  failRun,
  getSubmission,
  listExampleResults,
  queueOverview,
  registerRunner,
  resolveSecret,
  submit,
} from '../src/index';

let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let runner: Actor;
let runnerId: string;

beforeAll(async () => {
  p = await testPlatform();
  cast = await toyScenario(p);
  runner = await resolveSecret(p, cast.runnerToken.secret);
  ({ runnerId } = await registerRunner(p, runner, {
    hostname: 'gpu-7',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  }));
});
afterAll(() => p.close());

const claimNow = () => claim(p, runner, { runnerId, families: ['text2sql'], waitSeconds: 0 });

describe('queueOverview', () => {
  it('lists queued runs with positions, running runs with their runner, runners online and failures; hides private names', async () => {
    const other = await makeTeam(p, 'secretive');
    const hidden = await createMethod(p, other.owner.actor, { team: 'secretive', name: 'Secret sauce' });
    const a = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions(),
    );
    const b = await submit(
      p,
      other.owner.actor,
      { benchmark: 'toy-qa', method: hidden.id, isPublic: false },
      goodPredictions(),
    );
    const c = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q2: 'x' }),
    );

    let q = await queueOverview(p, cast.acme.owner.actor);
    expect(q.queued.map((r) => [r.submissionId, r.position])).toEqual([
      [a.id, 1],
      [b.id, 2],
      [c.id, 3],
    ]);
    expect(q.queued[1]).toMatchObject({ method: '(private submission)', team: '' });
    expect(q.runners.map((r) => r.hostname)).toEqual(['gpu-7']);
    // the submission page's queue position agrees
    expect((await getSubmission(p, cast.acme.owner.actor, c.id)).queuePosition).toBe(3);

    const first = await claimNow();
    if (!first) throw new Error('no job');
    await failRun(p, runner, first.runId, { category: 'user_error', message: 'bad predictions: line 3' });
    const second = await claimNow();
    q = await queueOverview(p, cast.admin.actor);
    expect(q.running).toEqual([
      expect.objectContaining({ submissionId: b.id, runner: 'gpu-7', method: 'Secret sauce' }),
    ]);
    expect(q.queued.map((r) => [r.submissionId, r.position])).toEqual([[c.id, 1]]);
    expect(q.failures).toEqual([
      expect.objectContaining({ submissionId: a.id, category: 'user_error', message: 'bad predictions: line 3' }),
    ]);
    if (!second) throw new Error('no job');
  });
});

describe('listExampleResults', () => {
  // the filterable fields a family declares for its rows (the toy rows carry text-to-SQL's)
  const FACETS = ['db_id', 'difficulty'];

  it('filters by verdict and breakdown field, orders ids naturally, pages, and counts facets', async () => {
    const s = await submit(
      p,
      cast.acme.owner.actor,
      { benchmark: 'toy-qa', method: cast.method.id },
      goodPredictions({ q3: 'y' }),
    );
    let job = await claimNow();
    while (job && job.submissionId !== s.id) job = await claimNow();
    if (!job) throw new Error('no job');
    const ids = ['10', '2', '1', 'q', '3'];
    await completeRun(p, runner, job.runId, {
      report: testReport(job, {
        metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 50, ci: null, n: 4 }],
        examples: ids.map((id, i) => ({
          id,
          verdict: id === 'q' ? null : i % 2 === 0 ? 1 : 0,
          // a field stored as JSON null is no facet value (the page's filter menu takes strings)
          data: {
            db_id: i < 2 ? 'a' : 'b',
            ...(id === '3' ? { difficulty: 'hard' } : id === 'q' ? { difficulty: null } : {}),
          },
        })),
        unscorable: 1,
      }),
    });
    const res = await currentResult(p.db, s.id, (await getSubmission(p, cast.acme.owner.actor, s.id)).datasetVersionId);
    if (!res) throw new Error('no result');
    const all = await listExampleResults(p.db, res.id, {}, FACETS);
    expect(all.rows.map((r) => r.exampleId)).toEqual(['1', '2', '3', 'q', '10']);
    expect(all.total).toBe(5);
    expect(all.facets).toEqual([
      { field: 'db_id', value: 'a', n: 2 },
      { field: 'db_id', value: 'b', n: 3 },
      { field: 'difficulty', value: 'hard', n: 1 },
    ]);
    // verdicts by position: 10→1, 2→0, 1→1, q→null, 3→1
    expect(
      (await listExampleResults(p.db, res.id, { verdict: 'correct' }, FACETS)).rows.map((r) => r.exampleId),
    ).toEqual(['1', '3', '10']);
    expect((await listExampleResults(p.db, res.id, { verdict: 'wrong' }, FACETS)).rows.map((r) => r.exampleId)).toEqual(
      ['2'],
    );
    expect((await listExampleResults(p.db, res.id, { verdict: 'unscorable' }, FACETS)).total).toBe(1);
    const dbB = await listExampleResults(p.db, res.id, { field: 'db_id', value: 'b', limit: 2, offset: 1 }, FACETS);
    expect([dbB.total, dbB.rows.map((r) => r.exampleId)]).toEqual([3, ['3', 'q']]); // db b: 1, 3, q
    expect((await listExampleResults(p.db, res.id, { example: '2' }, FACETS)).rows).toHaveLength(1);
    await expect(listExampleResults(p.db, res.id, { field: 'question', value: 'x' }, FACETS)).rejects.toThrow(
      'bad input: field: "question" is not a filter of these examples (filters: db_id, difficulty)',
    );
  });
});
