import type { EvaluatorReport, Family } from '@trueboard/contracts';
import { wilsonInterval } from '@trueboard/metrics';

/**
 * The report of a test-only evaluator whose rows are right (verdict 1) or wrong: one accuracy
 * metric with its Wilson interval, no breakdowns. The provenance is the harness's to state.
 */
export function accuracyReport(
  family: Family,
  semantics: string,
  examples: EvaluatorReport['examples'],
): EvaluatorReport {
  const correct = examples.filter((e) => e.verdict === 1).length;
  const ci = wilsonInterval(correct, examples.length);
  return {
    family,
    metrics: [
      {
        name: 'accuracy',
        semantics,
        value: (100 * correct) / examples.length,
        ci: { low: 100 * ci.low, high: 100 * ci.high, level: 0.95, method: 'wilson' },
        n: examples.length,
      },
    ],
    examples,
    unscorable: 0,
    breakdowns: [],
  };
}
