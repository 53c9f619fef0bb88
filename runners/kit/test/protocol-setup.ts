/**
 * What the runner-protocol tests (protocol-*.test.ts) share: one real platform per test file (api
 * REST routes, core, Postgres; see live-platform.ts), reset after each test, and the helpers they
 * all use.
 */
import type { Job, RunContext } from '@trueboard/contracts';
import { testReport } from '@trueboard/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Live, livePlatform } from './live-platform';
import { probeEvaluator, signal, untilAborted } from './probe-evaluator';

/**
 * The platform of the calling test file, set by useLivePlatform's beforeAll. An exported `let` is a
 * live binding, so the tests read the platform of their own file's hooks without a getter.
 */
export let live: Live;

/** Starts a platform for the calling test file, resets it after each test and closes it at the end. */
export function useLivePlatform(): void {
  beforeAll(async () => {
    live = await livePlatform();
  });
  afterEach(() => live.reset());
  afterAll(() => live?.close());
}

export const HOUR = 3_600_000;

/** A valid report for a job, as any runner could send it. */
export const aReport = (job: Job) =>
  testReport(job, {
    metrics: [{ name: 'accuracy', semantics: 'exact-match', value: 100, ci: null, n: 1 }],
    examples: [{ id: 'q1', verdict: 1, data: {} }],
  });

/** An evaluator whose first job runs until the kit aborts it; later jobs score normally. */
export function blockFirstJob() {
  const running = signal<RunContext>();
  const probe = probeEvaluator({
    during: async (ctx) => {
      if (probe.contexts.length > 1) return;
      running.resolve(ctx);
      await untilAborted(ctx);
    },
  });
  return { probe, running: running.promise };
}
