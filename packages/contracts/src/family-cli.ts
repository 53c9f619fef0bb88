import type { EvaluationReport } from './report';

/**
 * A family's own modes of `trueboard eval <family>` (FamilyModule.cli): options besides the generic
 * `--dataset`, `--predictions`, `--out`, `--option`, `--device` …, and the handler that reads them.
 * The CLI stays generic: it declares these options on the command, hands every parsed option to
 * `run`, and either exits with the code `run` returns or runs its generic evaluation when `run`
 * returns null. Plain data and functions, so contracts depend on no command-line library.
 */
export interface FamilyCliOption {
  /** commander-style flags: `--qrels <file>`, `--complete`, `--metrics <list>` */
  flags: string;
  description: string;
  /** the value when the option is not given */
  defaultValue?: string | boolean;
}

/** What the generic `trueboard eval` lends a family's handler. */
export interface EvalCliHost {
  /**
   * The evaluator settings `--dataset dir` would get: its manifest's `evaluator` block overridden by
   * the command line's `--option key=value` pairs (numbers and booleans parsed).
   */
  settings(dataset: string): Promise<Record<string, unknown>>;
  /**
   * The generic evaluation (the platform's evaluator through the kit's runLocal, with its progress
   * bar, table and `--out` report) on this dataset and these artifacts; `settings` override the
   * evaluator settings last. Resolves to how many artifacts could not be scored. `onReport` gets each
   * report made, after it is printed (e.g. to write files from its rows).
   */
  evaluate(input: {
    dataset: string;
    predictions: readonly string[];
    settings?: Record<string, unknown>;
    onReport?(report: EvaluationReport): Promise<void>;
  }): Promise<number>;
  /** The CLI's progress display on stderr (a bar on a terminal, periodic lines otherwise). */
  progress(label: string, total: number): { update(value: number, message?: string): void; stop(): void };
  /**
   * The command's standard output and error. A mode writes through these, never to `process`'s
   * streams: in the resident evaluator they are the calling terminal's.
   */
  out(text: string): void;
  err(text: string): void;
}

export interface FamilyEvalCli {
  /** declared after the generic options, so none may reuse a generic flag (`--out`, `--dataset` …) */
  options: readonly FamilyCliOption[];
  /** shown after the options by `trueboard eval <family> --help`: the family's modes, with examples */
  help?: string;
  /**
   * Runs `trueboard eval <family>` given every parsed option (generic and the family's, under
   * commander's camelCase keys). Resolves to the exit code when the family handled the invocation,
   * or to null to let the generic evaluation (`--dataset`, `--predictions`) run. An Error thrown is
   * printed as `trueboard: <message>` with exit code 1.
   */
  run(options: Readonly<Record<string, unknown>>, host: EvalCliHost): Promise<number | null>;
}
