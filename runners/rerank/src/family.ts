import type { ArtifactSpec, FamilyModule } from '@trueboard/contracts';
import { rerankSemantics } from './options';
import { rerankRows } from './rows';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A quick look at the first line of a run, as the evaluator reads it: `qid Q0 docid rank score tag`,
 * whitespace-separated. Columns after the sixth are ignored there (as trec_eval ignores them), so here too.
 */
export function checkRunFile(file: { name: string; text: string }): string | null {
  const first = file.text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return `${file.name}: the file is empty; expected 'qid Q0 docid rank score tag' lines`;
  const line = file.text.split('\n').indexOf(first) + 1;
  const cols = first.trim().split(/\s+/);
  if (cols.length < 6) {
    return `${file.name} line ${line}: expected 6 columns 'qid Q0 docid rank score tag', found ${cols.length}`;
  }
  const score = cols[4] ?? '';
  if (!NUMBER.test(score) || !Number.isFinite(Number(score))) {
    return `${file.name} line ${line}: the score column (5th) '${score}' is not a finite number`;
  }
  return null;
}

export const rerankArtifact: ArtifactSpec = {
  kind: 'file',
  extensions: ['.trec', '.txt', '.run'],
  // a 7,000-query × 1,000-document run is ~300 MB (DOMAIN.md §4)
  maxBytes: 512 * 1024 * 1024,
  check: checkRunFile,
};

/**
 * Re-ranking as the platform sees it: submissions are TREC run files scored with trec_eval semantics.
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
};
