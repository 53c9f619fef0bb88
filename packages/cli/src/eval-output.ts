import { basename, extname, join } from 'node:path';
import type { EvaluationReport } from '@trueboard/contracts';
import { CommandFailure } from './cli-io';
import { table } from './output';

/** Where each artifact's report goes: `--out` itself, or with several artifacts `<out>/<name>.json`. */
export function outputs(predictions: readonly string[], out: string | undefined): (i: number) => string | undefined {
  if (!out) return () => undefined;
  if (predictions.length === 1) return () => out;
  const names = predictions.map((p) => `${basename(p, extname(p))}.json`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) {
    throw new CommandFailure(
      `two --predictions files would both write ${join(out, twice)}; rename one or run them separately`,
    );
  }
  return (i) => join(out, names[i] ?? '');
}

/**
 * A metric's numbers: percentages to 2 decimals, fractions (nDCG, MAP, … all within [0, 1]) to 4, as
 * trec_eval prints them; one precision for the value and its interval.
 */
function fixed(m: EvaluationReport['metrics'][number], v: number): string {
  const fraction = Math.max(Math.abs(m.value), Math.abs(m.ci?.high ?? 0)) <= 1;
  return v.toFixed(fraction ? 4 : 2);
}

export function metricsTable(report: EvaluationReport): string {
  return table(
    report.metrics.map((m) => ({
      metric: m.name,
      semantics: m.semantics,
      value: fixed(m, m.value),
      ci95: m.ci ? `[${fixed(m, m.ci.low)}, ${fixed(m, m.ci.high)}]` : '',
      n: m.n,
    })),
  );
}
