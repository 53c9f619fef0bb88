import type { EvaluationReport, Job } from '@trueboard/contracts';
import { claim, completeRun, type Platform, registerRunner, resolveSecret } from '@trueboard/core';
import { testReport } from './report';

type Parts = Pick<EvaluationReport, 'metrics' | 'examples'> & { unscorable?: number };

/**
 * A runner registered in-process for tests that need scored entries without running an evaluator:
 * `scoreNext(parts)` claims the next queued text2sql job and records a report with the given
 * metrics and per-example rows (provenance filled in); it throws when nothing is queued.
 * `scoreAll(parts)` does so for every queued job.
 */
export async function testRunner(p: Platform, runnerSecret: string) {
  const actor = await resolveSecret(p, runnerSecret);
  const { runnerId } = await registerRunner(p, actor, {
    hostname: 'h',
    device: 'cpu',
    families: ['text2sql'],
    version: 't',
  });
  const scoreOne = async (parts: Parts): Promise<Job | null> => {
    const job = await claim(p, actor, { runnerId, families: ['text2sql'], waitSeconds: 0 });
    if (job) await completeRun(p, actor, job.runId, { report: testReport(job, parts) });
    return job;
  };
  return {
    async scoreNext(parts: Parts): Promise<Job> {
      const job = await scoreOne(parts);
      if (!job) throw new Error('testRunner: no queued job to score');
      return job;
    },
    /** scores every queued job alike; returns how many */
    async scoreAll(parts: Parts): Promise<number> {
      let n = 0;
      while (await scoreOne(parts)) n++;
      return n;
    },
  };
}
