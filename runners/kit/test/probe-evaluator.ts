/**
 * The testkit's toy exact-match evaluator (the toy-qa benchmark) with hooks, so a test can act while a
 * job runs, see the context the kit gave the evaluator, and make it misbehave.
 */
import type { DatasetBundle, Evaluator, EvaluatorReport, RunContext } from '@trueboard/contracts';
import { toyEvaluator } from '@trueboard/testkit';
import { JobAbortedError } from '../src/index';

type Gold = Awaited<ReturnType<typeof toyEvaluator.prepare>>;

export interface ProbeOptions {
  /** runs inside evaluate, before scoring */
  during?: (ctx: RunContext) => Promise<void>;
  /** rewrites the finished report (to produce invalid ones) */
  mutate?: (report: EvaluatorReport) => unknown;
  /** replaces prepare (to make it fail) */
  prepare?: (bundle: DatasetBundle) => Promise<Gold>;
  /** scores without reporting progress or logging */
  silent?: boolean;
}

export interface Probe extends Evaluator<Gold> {
  prepareCalls: number;
  /** the context of every evaluate call, in order */
  contexts: RunContext[];
}

export function probeEvaluator(options: ProbeOptions = {}): Probe {
  return {
    family: 'text2sql',
    name: toyEvaluator.name,
    version: toyEvaluator.version,
    prepareCalls: 0,
    contexts: [],
    async prepare(bundle) {
      this.prepareCalls++;
      return options.prepare ? options.prepare(bundle) : toyEvaluator.prepare(bundle);
    },
    async evaluate(gold, artifact, ctx) {
      this.contexts.push(ctx);
      await options.during?.(ctx);
      const report = await toyEvaluator.evaluate(
        gold,
        artifact,
        options.silent ? { ...ctx, progress: () => {}, log: () => {} } : ctx,
      );
      // the harness must validate whatever comes back: the cast lets tests hand it something invalid
      return options.mutate ? (options.mutate(report) as EvaluatorReport) : report;
    },
  };
}

/** Resolves once the job's signal fires: an evaluator step that runs until the kit stops it. */
export function untilAborted(ctx: RunContext): Promise<void> {
  if (ctx.signal.aborted) return Promise.resolve();
  return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Why the kit aborted an evaluation, from the reason on its signal. */
export function abortCause(ctx: RunContext | undefined): string | undefined {
  const reason: unknown = ctx?.signal.reason;
  return reason instanceof JobAbortedError ? reason.reason : undefined;
}

/** A promise with its resolve function, for a hook to tell the test it got somewhere. */
export function signal<T = void>() {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
