import type { z } from 'zod';
import type { AnnotationCodec } from './annotations';
import type { CorrectionValidator } from './corrections';
import type { Evaluator, SubmissionArtifactKind } from './evaluator';
import type { Family } from './family';
import type { FamilyEvalCli } from './family-cli';
import type { BoardColumn } from './leaderboard';

/**
 * Everything family-specific the platform needs, in one object per family: `runners/<family>`
 * exports it and the registry (`Record<Family, …>`, in packages/families) lists them, so a family
 * missing anywhere is a compile error. Core, api and generic pages reach a family's fields only
 * through this.
 */
export interface FamilyModule<F extends Family = Family> {
  family: F;
  /**
   * Loads the evaluator. Lazy, so a process that only reads a family's rows (the web server)
   * never loads what evaluating needs (native modules, worker processes).
   */
  evaluator(): Promise<Evaluator>;
  artifact: ArtifactSpec;
  /** the dataset layouts whose gold can be corrected; the first whose `files` match a version is used */
  annotations: readonly AnnotationCodec[];
  /** makes the checker of proposed corrections (it executes the new gold); without one, proposals are not executed */
  correctionValidator?(): Promise<CorrectionValidator>;
  rows: ExampleRows;
  /**
   * The board's headline: when a benchmark's `primaryMetric` is `metric` and its manifest names no
   * `primarySemantics`, the column of that metric with `semantics(manifest.evaluator)` comes first.
   */
  primary: { metric: string; semantics(settings: Record<string, unknown>): string | undefined };
  /** columns every board of the family shows besides its metrics */
  columns: readonly BoardColumn[];
  /**
   * The family's own modes of `trueboard eval <family>` (options and their handler). Lazy: loaded
   * only when `trueboard eval <family>` runs, so no other command pays for it.
   */
  cli?(): Promise<FamilyEvalCli>;
  /**
   * Files a submission's stored rows can be downloaded as (`GET /api/submissions/<id>/downloads/<name>`);
   * the submission page links those `available` for its result. None: nothing to download.
   */
  downloads?: readonly FamilyDownload[];
}

/** A stored row as a download reads it: the example's id with what the evaluator stored. */
export interface DownloadRow extends StoredExample {
  id: string;
}

/** What a download may name besides the rows. */
export interface DownloadContext {
  submissionId: string;
  /** the method's name, e.g. for a TREC run's tag */
  method: string;
}

/**
 * One file made from a result's rows. Streaming both ways: the rows come as pages are read, in the
 * byte order of their ids, and the file leaves as chunks while it is written. Pure: no I/O of its own.
 */
export interface FamilyDownload {
  /** the URL segment, a file-name-like token: `run.trec` */
  name: string;
  /** the link's text: `re-ranked run (TREC)` */
  label: string;
  /** the response's Content-Type */
  mediaType: string;
  fileName(submissionId: string): string;
  /**
   * Whether a result's rows hold what this file needs, asked of one row (its first): rows of one
   * result come from one evaluation and share their shape.
   */
  available(row: StoredExample): boolean;
  /** The file, chunk by chunk; it throws (the download breaks off) on a row it cannot write. */
  write(rows: AsyncIterable<DownloadRow>, context: DownloadContext): AsyncIterable<string>;
}

export type { EvalCliHost, FamilyCliOption, FamilyEvalCli } from './family-cli';

/** A family the platform knows by name whose package has not landed yet: no fake behaviour, just why. */
export interface PendingFamily<F extends Family = Family> {
  family: F;
  /** what it waits for, e.g. the issue that brings its runner */
  pending: string;
  /**
   * The columns its boards will show (the module declares them once it lands): known before the
   * runner, so the boards of its benchmarks show the methods' hyperparameters meanwhile.
   */
  columns?: readonly BoardColumn[];
}

export type FamilyEntry<F extends Family = Family> = FamilyModule<F> | PendingFamily<F>;

/** One entry per family, each under its own name. */
export type FamilyRegistry = { readonly [F in Family]: FamilyEntry<F> };

export function isInstalled(e: FamilyEntry): e is FamilyModule {
  return !('pending' in e);
}

/** What a submission uploads. */
export interface ArtifactSpec {
  /**
   * `file`: one file; `directory`: a directory bundle, uploaded as one .tar, .tar.gz or .zip;
   * `file-or-directory`: either, told apart by content (see SubmissionArtifactKind)
   */
  kind: SubmissionArtifactKind;
  /** accepted file name endings, lowercase with the dot (the upload form's `accept`) */
  extensions: readonly string[];
  /** the default upload limit in bytes; TRUEBOARD_MAX_<FAMILY>_BYTES and a manifest's `limits` override it */
  maxBytes: number;
  /**
   * A quick look at a file before it is uploaded (in the browser or the CLI; the evaluator checks
   * everything again): a message naming the problem, or null. Pure, so any client can run it.
   */
  check?(file: { name: string; text: string }): string | null;
}

/** A stored per-example row as core reads it back (`ExampleResult` after recording). */
export interface StoredExample {
  verdict: number | null;
  reason: string | null;
  data: Record<string, unknown>;
}

/** A field of the rows' `data` a board's example list can be filtered by. */
export interface RowFacet {
  field: string;
  label: string;
}

/** The family's per-example rows: the shape of `ExampleResult.data` and what generic pages read from it. */
export interface ExampleRows {
  /** the zod schema of `ExampleResult.data` as the evaluator writes it */
  schema: z.ZodType<Record<string, unknown>>;
  /** fields of `data` to filter an example list by, in menu order */
  facets: readonly RowFacet[];
  /** fields of `data` a list of examples (triage) carries for each, for the family's view to show */
  summary: readonly string[];
  /**
   * Fields of `data` that may be large and that the example pages never show (re-ranking: the
   * whole ranked list, which downloads are written from): a brief list leaves them out.
   */
  heavy?: readonly string[];
  /**
   * What one stored row says about its example's gold, for annotation triage. It must read the
   * rows of every version of the evaluator that may be stored.
   */
  triage(row: StoredExample): TriageSignals;
}

/** Signals about an example's gold read from one system's row; each text is shown as the reason. */
export interface TriageSignals {
  /** the gold itself fails (the example is unscorable because of it) */
  goldFails?: string;
  /** the gold's answer is empty */
  goldEmpty?: string;
  /** the system's answer in comparable form: wrong systems with equal answers agree on something the gold does not say */
  answer?: string;
}
