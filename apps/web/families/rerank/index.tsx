// first: zod must be jitless in the browser before the family module builds its schemas
import { rerankArtifact } from '@trueboard/rerank/artifact';
import { plainView } from '../plain-view';
import type { FamilyView } from '../types';
import { checkModelDirectory } from './directory-check';
import { FlipSummary } from './flip-summary';
import { QueryDetail } from './query-detail';
import { CHANGE_TEXT, fixed4, ndcgChange, queryResult, signed4 } from './row-data';

const plain = plainView('Re-ranking');
/** how much of a query the example table shows; the whole text is in the cell's title */
const QUERY_CHARS = 80;

/**
 * Re-ranking: examples are qrels queries, each with the submission's top 10 and the benchmark's
 * first-stage (BM25) top 10; boards show the manifest's metrics (nDCG@10, MAP, MRR@10, R@100).
 */
export const rerankView: FamilyView = {
  ...plain,
  label: 'Re-ranking',
  examples: {
    lead: [
      {
        key: 'query',
        header: 'Query',
        cell: (row) => {
          const q = queryResult(row).query ?? '';
          return <span title={q}>{q.length > QUERY_CHARS ? `${q.slice(0, QUERY_CHARS - 1)}…` : q}</span>;
        },
      },
    ],
    trail: [
      {
        key: 'ndcg',
        header: 'nDCG@10',
        className: 'num',
        cell: (row) => fixed4(queryResult(row).ndcg),
      },
      {
        key: 'ndcg-change',
        header: 'Δ vs BM25',
        className: 'num',
        cell: (row) => {
          const r = queryResult(row);
          const d = ndcgChange(r);
          const text = signed4(d);
          const title = r.change ? CHANGE_TEXT[r.change] : undefined;
          if (d === null || text === '0.0000') return <span title={title}>{text}</span>;
          return (
            <span title={title} className={d < 0 ? 'state-failed' : 'state-finished'}>
              {text}
            </span>
          );
        },
      },
    ],
    facetLabel: (field) => (field === 'change' ? 'vs BM25' : field),
    facetValue: (field, value) => (field === 'change' ? (CHANGE_TEXT[value] ?? value) : value),
    FacetSummary: FlipSummary,
    Detail: QueryDetail,
    // every qrels query gets its nDCG@10; a query missing from the run scores 0
    unscorableHint: null,
  },
  triage: {
    ...plain.triage,
    intro:
      "Queries ranked by how suspicious their judgments look given every system's results: a query whose qrels judge no document relevant scores 0 for everyone. Check the judgments before proposing a correction.",
    header: 'Query',
    context: (r) => (typeof r.data.query === 'string' ? r.data.query : null),
  },
  submit: {
    help: 'for re-ranking: a TREC run of the re-ranked candidates (qid Q0 docid rank score tag), or an ONNX cross-encoder directory',
    // the runner's own spec: the form accepts and checks what the evaluator reads
    artifact: rerankArtifact,
    directory: {
      help: 'an ONNX cross-encoder in the Hugging Face layout: model.onnx and tokenizer.json at the top level, optionally config.json and tokenizer_config.json, as optimum-cli export onnx writes them',
      check: checkModelDirectory,
    },
  },
};
