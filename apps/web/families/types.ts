import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter, Leaderboard } from '@trueboard/api';
import type { ArtifactSpec } from '@trueboard/contracts';
import type { ComponentType, ReactNode } from 'react';

type Outputs = inferRouterOutputs<AppRouter>;

/** One leaderboard entry as the server renders it. */
export type BoardRow = Leaderboard['rows'][number];
/** One per-example result as the browser receives it; its `data` belongs to the family. */
export type ExampleRow = Outputs['submissions']['examples']['rows'][number];
/** How many of a result's examples have each value of a facet (the API counts them over the whole result). */
export type FacetCount = Outputs['submissions']['examples']['facets'][number];
/** One file of a directory chosen in the submit form, at its path inside that directory ("sub/model.onnx"). */
export interface DirectoryEntry {
  path: string;
  size: number;
}
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
    /** how a facet's value is named in the breakdown filter ("worse than BM25"); the raw value when absent */
    facetValue?(field: string, value: string): string;
    /**
     * A line above the example table built from the facet counts (e.g. how many queries got worse),
     * whose links set the breakdown filter to one value; nothing when absent.
     */
    FacetSummary?: ComponentType<{ facets: FacetCount[]; filter(field: string, value: string): void }>;
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
    artifact: Pick<ArtifactSpec, 'extensions' | 'check'> & Partial<Pick<ArtifactSpec, 'kind'>>;
    /**
     * When the artifact may be a directory (its `kind` is not `file`): what the directory holds, for
     * the form's help, and a pure check of its file list before it is packed and uploaded (a message
     * naming the problem, or null). Without it, any non-empty directory is packed.
     */
    directory?: { help: string; check(files: readonly DirectoryEntry[]): string | null };
  };
}
