import type { BoardColumn, ExampleRow, FamilyView } from './types';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** An example's reason and its whole `data`, for a family without a detail of its own. */
function JsonDetail({ row }: { row: ExampleRow }) {
  return (
    <>
      {row.reason && (
        <p>
          <strong>Reason:</strong> {row.reason}
        </p>
      )}
      <pre>{json(row.data)}</pre>
    </>
  );
}

/** A validator's evidence as JSON, when it gave any. */
function JsonEvidence({ details }: { details: Record<string, unknown> }) {
  if (Object.keys(details).length === 0) return null;
  return (
    <>
      <h2>Validation</h2>
      <pre>{json(details)}</pre>
    </>
  );
}

/**
 * The view of a family that shows its rows as they come: label, extra board columns, the example
 * data as JSON. A family grows its own components by overriding parts of this.
 */
export function plainView(label: string, columns: BoardColumn[] = []): FamilyView {
  return {
    label,
    board: { columns, charts: [] },
    examples: {
      lead: [],
      trail: [],
      facetLabel: (field) => field,
      Detail: JsonDetail,
      unscorableHint: null,
    },
    corrections: {
      Evidence: JsonEvidence,
      field: () => ({ rows: 3, prose: false }),
    },
    triage: {
      intro:
        "Examples ranked by how suspicious their gold looks given every system's results. Check each before proposing a correction.",
      header: 'Example data',
      note: () => null,
      context: (r) => (Object.keys(r.data).length > 0 ? <pre>{json(r.data)}</pre> : null),
    },
    // any file, no check in the browser: the evaluator checks what it receives
    submit: { help: null, artifact: { extensions: [] } },
  };
}
