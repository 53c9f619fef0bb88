/**
 * Which mode of `trueboard eval rerank` the command line asks for, from commander's parsed options
 * (camelCase keys), and every conflict between options named before any file is read.
 */

export const DEFAULT_METRICS = 'ndcg_cut.10,map,recip_rank,recall.100';
export const DEFAULT_DEPTH = 100;

/** `--qrels` and `--run`: trec_eval on two files, no dataset. */
export interface TrecEvalMode {
  mode: 'trec_eval';
  qrels: string;
  run: string;
  metrics: string;
  relevanceLevel: number;
  complete: boolean;
  perQuery: boolean;
  out?: string;
}

/** `--dataset` and `--model`: the cross-encoder re-ranks candidates, scored by the platform's evaluator. */
export interface ModelMode {
  mode: 'model';
  dataset: string;
  model: string;
  /** a run file, `bm25`, or unset (the dataset's own `candidates` setting) */
  candidates?: string;
  depth?: number;
  /** write the model's ranking here as a TREC run (the platform's `run.trec` download) */
  writeRun?: string;
  /** … and here as Rankify JSON (the platform's `rankify.json` download) */
  writeRankify?: string;
  /** the TREC run's tag (default `trueboard`; the platform's download uses the method's name) */
  runTag?: string;
}

export type RerankCliMode = TrecEvalMode | ModelMode | { mode: 'generic' };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const given = (v: unknown): boolean => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

function integer(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < min) {
    throw new Error(`${flag} must be ${min === 0 ? 'a whole number' : 'a positive whole number'}, got '${text}'`);
  }
  return Number(text);
}

/** Names the options of `flags` that are set in `o`. */
function set(o: Readonly<Record<string, unknown>>, flags: Record<string, string>): string[] {
  return Object.entries(flags)
    .filter(([key]) => given(o[key]))
    .map(([, flag]) => flag);
}

const METRICS_ONLY = { metrics: '--metrics', relLevel: '--rel-level', complete: '--complete', perQuery: '--per-query' };
const MODEL_ONLY = {
  candidates: '--candidates',
  depth: '--depth',
  writeRun: '--write-run',
  writeRankify: '--write-rankify',
  runTag: '--run-tag',
};

export function rerankCliMode(o: Readonly<Record<string, unknown>>): RerankCliMode {
  const trec = set(o, { qrels: '--qrels', run: '--run' });
  if (trec.length > 0 && given(o.model)) {
    throw new Error(
      `${trec.join(' and ')} and --model are two modes: --qrels with --run computes the metrics of a run file, --dataset with --model re-ranks the dataset's candidates with a cross-encoder; use one`,
    );
  }
  if (trec.length > 0) {
    if (!given(o.qrels)) throw new Error('--run needs --qrels <file>: the judgments (TREC qrels, or BEIR qrels .tsv)');
    if (!given(o.run)) throw new Error('--qrels needs --run <file>: the TREC run to score');
    const stray = set(o, { dataset: '--dataset', predictions: '--predictions', option: '--option', asset: '--asset' });
    if (stray.length > 0) {
      throw new Error(
        `--qrels with --run scores the run file alone, without a dataset: drop ${stray.join(', ')} (to evaluate a run on a dataset, use --dataset <dir> --predictions <run>)`,
      );
    }
    const model = set(o, MODEL_ONLY);
    if (model.length > 0) throw new Error(`${model.join(' and ')} go with --model, not with --qrels and --run`);
    return {
      mode: 'trec_eval',
      qrels: str(o.qrels) ?? '',
      run: str(o.run) ?? '',
      metrics: str(o.metrics) ?? DEFAULT_METRICS,
      relevanceLevel: integer(str(o.relLevel), '--rel-level', 0) ?? 1,
      complete: o.complete === true,
      perQuery: o.perQuery === true,
      out: str(o.out),
    };
  }
  const metricsOnly = set(o, METRICS_ONLY);
  if (metricsOnly.length > 0) {
    throw new Error(
      `${metricsOnly.join(', ')} go${metricsOnly.length > 1 ? '' : 'es'} with --qrels and --run (trec_eval on two files); an evaluation of --dataset reports the benchmark's metrics (set its threshold with --option relevanceLevel=<n>)`,
    );
  }
  if (given(o.model)) {
    if (!given(o.dataset)) {
      throw new Error('--model needs --dataset <beir-dir>: the corpus, queries and qrels whose candidates it re-ranks');
    }
    if (given(o.predictions)) {
      throw new Error(
        '--model is the artifact to evaluate; drop --predictions (or give the model directory as --predictions)',
      );
    }
    const settings = Array.isArray(o.option) ? o.option.filter((p): p is string => typeof p === 'string') : [];
    for (const [key, flag] of Object.entries(MODEL_ONLY)) {
      if (given(o[key]) && settings.some((p) => p.startsWith(`${key}=`))) {
        throw new Error(`${flag} and --option ${key}=… both set the ${key}; give one`);
      }
    }
    return {
      mode: 'model',
      dataset: str(o.dataset) ?? '',
      model: str(o.model) ?? '',
      candidates: str(o.candidates),
      depth: integer(str(o.depth), '--depth', 1),
      writeRun: str(o.writeRun),
      writeRankify: str(o.writeRankify),
      runTag: str(o.runTag),
    };
  }
  const model = set(o, MODEL_ONLY);
  if (model.length > 0) throw new Error(`${model.join(' and ')} go with --model <onnx-dir>`);
  return { mode: 'generic' };
}
