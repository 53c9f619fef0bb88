/** A minimal text2sql-shaped Evaluator: gold and predictions are "id<TAB>sql" lines. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type EvaluationReport,
  type Evaluator,
  type ExampleResult,
  type RunContext,
  SubmissionError,
} from '@trueboard/contracts';

export interface TinyPrepared {
  gold: Map<string, string>;
}

export interface TinyOptions {
  /** runs inside evaluate, before scoring */
  during?: (ctx: RunContext) => Promise<void>;
  /** rewrites the finished report (to produce invalid ones) */
  mutate?: (report: EvaluationReport) => unknown;
}

export const GOLD = 'q1\tSELECT 1\nq2\tSELECT 2\n';
export const PREDICTIONS = 'q1\tSELECT 1\nq2\tSELECT 3\n';

export function tinyEvaluator(options: TinyOptions = {}): Evaluator<TinyPrepared> & { prepareCalls: number } {
  return {
    family: 'text2sql',
    name: 'tiny-sql',
    version: '1.0.0',
    prepareCalls: 0,
    async prepare(dataset) {
      this.prepareCalls++;
      const text = await readFile(path.join(dataset.root, 'gold', 'answers.tsv'), 'utf8');
      return { gold: parseLines(text, 'gold/answers.tsv', Error) };
    },
    async evaluate(prepared, artifact, ctx) {
      const startedAt = new Date();
      const predictions = parseLines(await readFile(artifact.path, 'utf8'), 'predictions', SubmissionError);
      await options.during?.(ctx);
      const examples: ExampleResult[] = [];
      for (const [id, sql] of prepared.gold) {
        const verdict = predictions.get(id) === sql ? 1 : 0;
        examples.push({ id, verdict, data: {} });
        ctx.progress(examples.length / prepared.gold.size, `${examples.length}/${prepared.gold.size}`);
      }
      ctx.log('info', `evaluated ${examples.length} examples`);
      const correct = examples.filter((e) => e.verdict === 1).length;
      const report: EvaluationReport = {
        family: 'text2sql',
        metrics: [
          { name: 'ex', semantics: 'default', value: (100 * correct) / examples.length, ci: null, n: examples.length },
        ],
        examples,
        unscorable: 0,
        breakdowns: [],
        provenance: {
          ...ctx.provenance,
          evaluator: 'tiny-sql',
          evaluatorVersion: '1.0.0',
          device: ctx.device,
          seed: ctx.seed,
          startedAt: startedAt.toISOString(),
          wallTimeMs: Date.now() - startedAt.getTime(),
        },
      };
      // the harness must validate whatever comes back: the cast lets tests hand it something invalid
      return options.mutate ? (options.mutate(report) as EvaluationReport) : report;
    },
  };
}

function parseLines(text: string, what: string, Err: new (m: string) => Error): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Err(`${what} line ${i + 1}: expected "id<TAB>sql"`);
    out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}
