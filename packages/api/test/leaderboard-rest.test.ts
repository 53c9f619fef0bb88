import { createMethod, submit } from '@trueboard/core';
import {
  goodPredictions,
  makeTeam,
  serveTestPlatform,
  type TestPlatform,
  testPlatform,
  testRunner,
  toyScenario,
} from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let runner: Awaited<ReturnType<typeof testRunner>>;

let teams = 0;
async function entry(name: string, value: number) {
  const slug = `team-${++teams}`;
  const team = await makeTeam(p, slug);
  const method = await createMethod(p, team.owner.actor, { team: slug, name });
  await submit(p, team.owner.actor, { benchmark: 'toy-qa', method: method.id }, goodPredictions({ q1: slug }));
  await runner.scoreNext({
    metrics: [
      {
        name: 'accuracy',
        semantics: 'exact-match',
        value,
        ci: { low: value - 1, high: value + 1, level: 0.95, method: 'wilson' },
        n: 5,
      },
    ],
    examples: [{ id: 'q1', verdict: 1, data: {} }],
  });
}

beforeAll(async () => {
  p = await testPlatform();
  const cast = await toyScenario(p);
  runner = await testRunner(p, cast.runnerToken.secret);
  await entry('=cmd()', 70);
  await entry('plain', 90);
  srv = await serveTestPlatform(p);
});
afterAll(async () => {
  await srv?.close();
  await p?.close();
});

describe('GET /api/leaderboard/<benchmark>.json|.csv', () => {
  it('serves a page as JSON, and reflects a new result at once', async () => {
    const res = await fetch(`${srv.baseUrl}/api/leaderboard/toy-qa.json?page=1`);
    expect(res.headers.get('content-disposition')).toBeNull();
    const body = (await res.json()) as { total: number; rows: { method: string; rank: number }[] };
    expect(body.rows.map((r) => [r.method, r.rank])).toEqual([
      ['plain', 1],
      ['=cmd()', 2],
    ]);
    await entry('newcomer', 99);
    const again = (await (await fetch(`${srv.baseUrl}/api/leaderboard/toy-qa.json?page=1`)).json()) as typeof body;
    expect(again.total).toBe(3);
    expect(again.rows[0]?.method).toBe('newcomer');
  });

  it('exports every filtered row as a CSV download, formula-like names neutralised', async () => {
    const res = await fetch(`${srv.baseUrl}/api/leaderboard/toy-qa.csv?dir=asc`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="toy-qa-v1-leaderboard.csv"');
    const lines = (await res.text()).trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(["'=cmd()", 'plain', 'newcomer']);
  });

  it('sends no CORS grant to other origins', async () => {
    const res = await fetch(`${srv.baseUrl}/api/leaderboard/toy-qa.json?page=1`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const trpc = await fetch(`${srv.baseUrl}/api/trpc/benchmarks.summaries`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(trpc.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers unknown benchmarks and versions with 404 and a message', async () => {
    const unknown = await fetch(`${srv.baseUrl}/api/leaderboard/nope.json`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/benchmark "nope"/);
    expect((await fetch(`${srv.baseUrl}/api/leaderboard/toy-qa.json?v=7`)).status).toBe(404);
  });
});
