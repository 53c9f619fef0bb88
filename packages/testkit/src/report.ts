import type { EvaluationReport, Job } from '@trueboard/contracts';

/** A report for a claimed job with the given metrics and rows (provenance filled in), for tests. */
export function testReport(
  job: Pick<Job, 'dataset' | 'artifact'>,
  parts: Pick<EvaluationReport, 'metrics' | 'examples'> & { unscorable?: number },
): EvaluationReport {
  return {
    family: 'text2sql',
    metrics: parts.metrics,
    examples: parts.examples,
    unscorable: parts.unscorable ?? 0,
    breakdowns: [],
    provenance: {
      evaluator: 't',
      evaluatorVersion: '1',
      runnerVersion: '1',
      hostname: 'h',
      device: 'cpu',
      datasetHash: job.dataset.contentHash,
      artifactHash: job.artifact.sha256,
      seed: 1,
      startedAt: new Date().toISOString(),
      wallTimeMs: 1,
    },
  };
}
