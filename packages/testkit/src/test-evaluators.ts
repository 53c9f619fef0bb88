import { loraProbeEvaluator } from './probe-family';
import { toyEvaluator } from './toy-evaluator';

/**
 * Both test-only evaluators, for `--evaluators` on `trueboard runner`, `eval` and `reproduce`: the
 * toy exact-match one posing as text2sql and the probe posing as LoRA. Not exported by the index
 * (toy-evaluator.ts has an `evaluators` of its own, the toy alone).
 */
export const evaluators = [toyEvaluator, loraProbeEvaluator];
