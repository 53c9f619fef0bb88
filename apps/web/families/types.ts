import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter, Leaderboard } from '@trueboard/api';
import type { ArtifactSpec } from '@trueboard/contracts';
import type { ComponentType, ReactNode } from 'react';

type Outputs = inferRouterOutputs<AppRouter>;

/** One leaderboard entry as the server renders it. */
export type BoardRow = Leaderboard['rows'][number];
/** One per-example result as the browser receives it; its `data` belongs to the family. */
export type ExampleRow = Outputs['submissions']['examples']['rows'][number];
/** One example the triage ranks as suspicious. */
export type TriageRow = Outputs['corrections']['triage'][number];

/** A column a family adds to its boards, after the generic ones. */
export interface BoardColumn {
  key: string;
  header: string;
  /** class of both the header and the cells, e.g. "num hide-sm" */
  className?: string;
  cell(row: BoardRow): ReactNode;
}

/** A column of the per-example table, read from the row (usually its `data`). */
export interface ExampleColumn {
  key: string;
  header: string;
  className?: string;
  cell(row: ExampleRow): ReactNode;
}

/**
 * Everything the web shows differently per family. Generic pages look the view up by the
 * benchmark's family (`familyView`) and never name a family's fields themselves.
 */
export interface FamilyView {
  /** section heading on the home page, breadcrumb on the board */
  label: string;
  board: {
    /** extra columns after "Unscorable" */
    columns: BoardColumn[];
    /** client chart components under the board (Pareto plots, sensitivity curves, …) */
    charts: ComponentType<{ board: Leaderboard }>[];
  };
  examples: {
    /** columns between the example id and the verdict: what the example is about */
    lead: ExampleColumn[];
    /** columns after the reason: measurements */
    trail: ExampleColumn[];
    /** how a facet field (one the family reports on its rows) is named in the breakdown filter */
    facetLabel(field: string): string;
    /** one example opened in the per-example table */
    Detail: ComponentType<{ row: ExampleRow }>;
    /** why an example can be unscorable, after "could not be scored"; null says nothing */
    unscorableHint: string | null;
  };
  corrections: {
    /** the validator's evidence about a proposal (`validation.details`) */
    Evidence: ComponentType<{ details: Record<string, unknown> }>;
    /** how a gold field is edited in the proposal form: prose or code, and its height */
    field(name: string): { rows: number; prose: boolean };
  };
  triage: {
    /** what makes gold look suspicious in this family: the page's lead paragraph */
    intro: string;
    /** heading of the context column */
    header: string;
    /** a line under the example id */
    note(row: TriageRow): ReactNode;
    /** the example and its current gold */
    context(row: TriageRow): ReactNode;
  };
  submit: {
    /** what the upload form accepts, for the page's lead text ("for text-to-SQL: …"); null says nothing */
    help: string | null;
    /**
     * From the family's artifact spec (contracts' `FamilyModule.artifact`): the form's `accept`, and
     * the check it runs before uploading, after the generic size and emptiness checks. The limit is
     * the benchmark's own, from the API.
     */
    artifact: Pick<ArtifactSpec, 'extensions' | 'check'>;
  };
}
