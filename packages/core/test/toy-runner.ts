import type { Job } from '@trueboard/contracts';
import { testPlatform, testReport, toyScenario } from '@trueboard/testkit';
import { registerRunner, resolveSecret } from '../src/index';

/** A platform with the toy cast and one registered text2sql runner, for tests of the run protocol. */
export async function toyRunnerWorld() {
  const p = await testPlatform();
  const cast = await toyScenario(p);
  const runner = await resolveSecret(p, cast.runnerToken.secret);
  const { runnerId } = await registerRunner(p, runner, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  return { p, cast, runner, runnerId };
}

/** A report scoring every toy question right. */
export const allRightReport = (job: Job) =>
  testReport(job, {
    metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 100, ci: null, n: 5 }],
    examples: ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, verdict: 1, data: {} })),
  });
