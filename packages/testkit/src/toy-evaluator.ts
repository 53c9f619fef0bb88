import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Evaluator, type EvaluatorReport, SubmissionError } from '@trueboard/contracts';
import { accuracyReport } from './accuracy-report';

interface Gold {
  examples: { id: string; answer: string }[];
}

/**
 * A tiny exact-match evaluator used to test the platform spine before real families exist.
 * Artifact: `{"predictions": {"<id>": "<answer>"}, "delayMs"?: n}`; `delayMs` makes each example
 * slow so tests can kill a runner mid-job.
 */
export const toyEvaluator: Evaluator<Gold> = {
  family: 'text2sql',
  name: 'toy-exact-match',
  version: '1.0.0',
  async prepare(bundle) {
    return JSON.parse(await readFile(join(bundle.root, 'gold.json'), 'utf8')) as Gold;
  },
  async evaluate(gold, artifact, ctx): Promise<EvaluatorReport> {
    let parsed: { predictions?: Record<string, string>; delayMs?: number };
    try {
      parsed = JSON.parse(await readFile(artifact.path, 'utf8'));
    } catch (err) {
      throw new SubmissionError(`artifact is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!parsed.predictions || typeof parsed.predictions !== 'object') {
      throw new SubmissionError('artifact: missing "predictions" object keyed by example id');
    }
    const examples = [];
    for (const [i, ex] of gold.examples.entries()) {
      if (ctx.signal.aborted) throw new Error('aborted');
      if (parsed.delayMs) await new Promise((r) => setTimeout(r, parsed.delayMs));
      const pred = parsed.predictions[ex.id];
      examples.push({
        id: ex.id,
        verdict: pred === undefined ? 0 : pred.trim() === ex.answer ? 1 : 0,
        reason: pred === undefined ? 'no prediction' : undefined,
        data: { prediction: pred ?? null },
      });
      ctx.progress((i + 1) / gold.examples.length, `example ${i + 1}/${gold.examples.length}`);
    }
    ctx.log('info', `scored ${examples.length} examples`);
    return accuracyReport('text2sql', 'exact-match', examples);
  },
};

export const evaluators = [toyEvaluator];
