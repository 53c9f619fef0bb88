import { text2sqlArtifact } from '@trueboard/text2sql/artifact';
import type { FamilyView } from '../types';
import { CorrectionEvidence } from './correction-evidence';
import { ExampleDetail } from './example-detail';

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** Text-to-SQL: examples are questions over a database, scored by executing gold and predicted SQL. */
export const text2sqlView: FamilyView = {
  label: 'Text-to-SQL',
  board: { columns: [], charts: [] },
  examples: {
    lead: [
      {
        key: 'database',
        header: 'Database',
        cell: (r) => (typeof r.data.db_id === 'string' ? r.data.db_id : '—'),
      },
    ],
    trail: [
      {
        key: 'pred-ms',
        header: 'Pred ms',
        className: 'num hide-sm',
        cell: (r) => (typeof r.data.pred_ms === 'number' ? r.data.pred_ms.toFixed(1) : '—'),
      },
    ],
    facetLabel: (field) => (field === 'db_id' ? 'database' : field),
    Detail: ExampleDetail,
    unscorableHint: 'missing database, or a gold query that fails',
  },
  corrections: {
    Evidence: CorrectionEvidence,
    field: (name) => ({ rows: name === 'question' ? 2 : 3, prose: name === 'question' || name === 'evidence' }),
  },
  triage: {
    intro:
      "Examples ranked by how suspicious their gold looks given every system's results: the gold query fails, returns nothing, or every system is wrong while several of them agree with each other. Check each by running the queries and reading the question before proposing a correction.",
    header: 'Question and gold',
    note: (r) => text(r.data.db_id),
    context: (r) => (
      <>
        {text(r.data.question)}
        <pre>{text(r.data.gold_sql)}</pre>
      </>
    ),
  },
  submit: {
    help: 'for text-to-SQL: predictions as Trueboard JSON keyed by example id, BIRD JSON, or one SQL per line',
    // the runner's own spec: the form accepts and checks what the evaluator reads
    artifact: text2sqlArtifact,
  },
};
