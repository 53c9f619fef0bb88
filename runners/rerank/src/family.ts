import type { FamilyModule } from '@trueboard/contracts';
import { rerankArtifact } from './artifact';
import { rerankDownloads } from './downloads';
import { rerankSemantics } from './options';
import { rerankRows } from './rows';

export { checkRunFile, rerankArtifact } from './artifact';

/**
 * Re-ranking as the platform sees it: submissions are TREC run files, or ONNX cross-encoder
 * directories that the runner executes on the benchmark's candidates, scored with trec_eval semantics.
 * The evaluator is loaded on first use (the web server never needs it). No annotation codec yet:
 * corrections of qrels come later, so the family's gold cannot be corrected through the platform.
 */
export const rerankFamily: FamilyModule<'rerank'> = {
  family: 'rerank',
  evaluator: async () => (await import(/* turbopackIgnore: true */ './evaluator')).rerankEvaluator,
  artifact: rerankArtifact,
  annotations: [],
  rows: rerankRows,
  primary: {
    metric: 'ndcg_cut_10',
    // nDCG ignores the threshold, so its semantics is the same whatever the settings say
    semantics: () => rerankSemantics('ndcg_cut_10', 1),
  },
  columns: [],
  // `trueboard eval rerank --qrels/--run` and `--dataset/--model`: loaded by the CLI's eval command only
  cli: async () => (await import(/* turbopackIgnore: true */ './cli/index')).rerankCli,
  // a model submission's ranking, as a TREC run or Rankify JSON (a run file's rows keep none)
  downloads: rerankDownloads,
};
