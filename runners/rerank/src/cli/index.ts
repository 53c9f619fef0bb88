import type { FamilyEvalCli } from '@trueboard/contracts';
import { DEFAULT_DEPTH, DEFAULT_METRICS, rerankCliMode } from './modes';

/**
 * The re-ranking family's modes of `trueboard eval rerank` (FamilyModule.cli). Declaring them loads
 * nothing else: each mode's code is imported when it runs.
 */
export const rerankCli: FamilyEvalCli = {
  options: [
    {
      flags: '--qrels <file>',
      description: 'metrics only: the judgments, TREC qrels (qid iter docid label) or BEIR qrels .tsv with its header',
    },
    {
      flags: '--run <file>',
      description: 'metrics only: the TREC run (qid Q0 docid rank score tag) to score against --qrels',
    },
    {
      flags: '--metrics <list>',
      description: `metrics only: trec_eval measure names, comma-separated: ndcg_cut.<k>, map, recip_rank, P.<k>, recall.<k>, success.<k>; <name>@<n> cuts the run at n first (trec_eval -M) (default ${DEFAULT_METRICS})`,
    },
    {
      flags: '--rel-level <n>',
      description: 'metrics only: labels >= n are relevant, for every measure but nDCG (trec_eval -l; default 1)',
    },
    {
      flags: '--complete',
      description: 'metrics only: average over every qrels query, one missing from the run counting 0 (trec_eval -c)',
    },
    { flags: '--per-query', description: "metrics only: print each query's values before the means (trec_eval -q)" },
    {
      flags: '--model <onnx-dir>',
      description:
        'a cross-encoder directory (model.onnx, tokenizer.json; optimum-cli export onnx) to re-rank the --dataset candidates with',
    },
    {
      flags: '--candidates <run|bm25>',
      description:
        "with --model: the first-stage TREC run to re-rank, or 'bm25' to compute BM25 candidates here (default: the dataset's \"candidates\" setting)",
    },
    {
      flags: '--depth <n>',
      description: `with --model: candidates re-ranked per query; the rest keep their order below (default: the dataset's "depth", else ${DEFAULT_DEPTH})`,
    },
    {
      flags: '--write-run <file>',
      description:
        "with --model: also write the model's ranking of every judged query as a TREC run (what the platform's run.trec download holds)",
    },
    {
      flags: '--write-rankify <file>',
      description:
        "with --model: also write it as Rankify JSON ({query_id, question, ctxs: [{id, score}]}; no has_answer: the platform's rankify.json download)",
    },
    {
      flags: '--run-tag <tag>',
      description:
        "with --write-run: the run's tag, the sixth column (default trueboard; the platform uses the method's name)",
    },
  ],
  help: `Modes of trueboard eval rerank:
  metrics of a run file, printed as trec_eval prints them (no dataset):
    trueboard eval rerank --qrels qrels.txt --run run.trec [--metrics ndcg_cut.10,map] [--rel-level 1] [--complete] [--per-query] [--out metrics.json]
  a cross-encoder re-ranking a BEIR dataset's candidates, scored as the platform scores it:
    trueboard eval rerank --dataset benchmarks/scifact --model ./ms-marco-MiniLM-L-6-v2 [--candidates run.trec|bm25] [--depth 100] [--device auto|cpu|cuda] [--out report.json] [--write-run run.trec] [--write-rankify run.json]
  a run file on a BEIR dataset, scored as the platform scores it:
    trueboard eval rerank --dataset benchmarks/scifact --predictions run.trec [--out report.json]`,
  async run(options, host) {
    const mode = rerankCliMode(options);
    if (mode.mode === 'trec_eval') {
      const { runTrecEvalMode } = await import('./trec-eval-mode');
      return runTrecEvalMode(mode, host);
    }
    if (mode.mode === 'model') {
      const { runModelMode } = await import('./model-mode');
      return runModelMode(mode, host);
    }
    return null;
  },
};
