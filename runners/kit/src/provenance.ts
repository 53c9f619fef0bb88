import type { Evaluator, RunContext } from '@trueboard/contracts';

/** What the harness itself knows about a run, measured around the evaluator's `evaluate`. */
export interface RunFacts {
  evaluator: Pick<Evaluator, 'name' | 'version'>;
  ctx: Pick<RunContext, 'device' | 'seed' | 'provenance'>;
  startedAt: Date;
  wallTimeMs: number;
}

/**
 * The report with the provenance the harness vouches for: evaluator name and version, runner,
 * host and hardware, device, seed, start and wall time, dataset and artifact hash. An evaluator adds
 * only what is its own (the ONNX sessions it ran); whatever else it wrote is replaced. Two things it
 * may say are kept: hashes it states, so that checkReport refuses a report about another dataset,
 * and the device, which is `cpu` when every session it reports fell back to the CPU.
 * Anything not an object is returned as it is, for checkReport to name.
 */
export function withProvenance(raw: unknown, facts: RunFacts): unknown {
  if (!isRecord(raw)) return raw;
  const own = isRecord(raw.provenance) ? raw.provenance : {};
  const { ctx } = facts;
  const sessions = Array.isArray(own.sessions) ? own.sessions : [];
  const ranOnCpu = sessions.length > 0 && sessions.every((s) => isRecord(s) && s.provider === 'cpu');
  return {
    ...raw,
    provenance: {
      ...own,
      evaluator: facts.evaluator.name,
      evaluatorVersion: facts.evaluator.version,
      runnerVersion: ctx.provenance.runnerVersion,
      hostname: ctx.provenance.hostname,
      hardware: ctx.provenance.hardware,
      device: ranOnCpu ? 'cpu' : ctx.device,
      seed: ctx.seed,
      startedAt: facts.startedAt.toISOString(),
      wallTimeMs: facts.wallTimeMs,
      datasetHash: own.datasetHash ?? ctx.provenance.datasetHash,
      artifactHash: own.artifactHash ?? ctx.provenance.artifactHash,
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
