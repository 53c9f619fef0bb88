import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunnerToken, importBenchmarkDir, seedBaselines, setMember } from '@trueboard/core';
import { evaluationRuns } from '@trueboard/db';
import { Runner } from '@trueboard/kit';
import { makeUser, serveTestPlatform, testPlatform } from '@trueboard/testkit';
import { text2sqlEvaluator } from '@trueboard/text2sql';
import { eq, sql } from 'drizzle-orm';

export const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));

/**
 * A platform on the test run's PostgreSQL with the real Spider dev benchmark, its three baselines
 * scored on v1 by an in-process runner, an admin, and two reviewers of the benchmark's team
 * (one of whom proposes corrections in the tests).
 */
export async function spiderPlatform() {
  const p = await testPlatform();
  const admin = await makeUser(p, { admin: true, name: 'admin' });
  await importBenchmarkDir(p, admin.actor, SPIDER);
  await seedBaselines(p, admin.actor, 'spider-dev', SPIDER);
  const proposer = await makeUser(p, { name: 'proposer' });
  const reviewer = await makeUser(p, { name: 'reviewer' });
  await setMember(p, admin.actor, { team: 'maintainers', email: reviewer.email, role: 'reviewer' });
  await setMember(p, admin.actor, { team: 'maintainers', email: proposer.email, role: 'reviewer' });
  const runnerSecret = (await createRunnerToken(p, admin.actor, { name: 'corrections test' })).secret;
  const srv = await serveTestPlatform(p);
  const cacheDir = mkdtempSync(join(tmpdir(), 'tb-corr-cache-'));

  /** Processes `n` jobs with a real runner over HTTP, then returns. */
  const runJobs = async (n: number) => {
    const runner = new Runner({
      server: srv.baseUrl,
      token: runnerSecret,
      device: 'cpu',
      evaluators: { text2sql: text2sqlEvaluator },
      cacheDir,
      once: n,
      waitSeconds: 1,
      onEvent: () => {},
    });
    await runner.start();
  };

  /** Evaluates until nothing is queued. */
  const drain = async () => {
    for (let i = 0; i < 10; i++) {
      const [q] = await p.db
        .select({ n: sql<number>`count(*)::int` })
        .from(evaluationRuns)
        .where(eq(evaluationRuns.state, 'queued'));
      if (!q?.n) return;
      await runJobs(q.n);
    }
  };

  await runJobs(3);
  return {
    p,
    srv,
    admin,
    proposer,
    reviewer,
    runJobs,
    drain,
    close: async () => {
      await srv.close();
      await p.close();
    },
  };
}
