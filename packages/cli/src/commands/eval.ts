import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type DatasetBundle,
  type DatasetFile,
  type Device,
  type EvalCliHost,
  type EvaluationReport,
  type Evaluator,
  Family,
  type ManifestAsset,
  runnerAssets,
} from '@trueboard/contracts';
import { datasetContentHash, expandFiles, readManifest } from '@trueboard/core/dataset-dir';
import { chooseDevice, runLocal } from '@trueboard/kit';
import { Command, CommanderError } from 'commander';
import { type CliIo, CommandFailure, exitWhenFlushed, processIo } from '../cli-io';
import { declareFamilyOptions, evalCliFor } from '../eval-family';
import { EvalInputs } from '../eval-inputs';
import { metricsTable, outputs } from '../eval-output';
import { type EvaluatorMap, loadEvaluators } from '../evaluators';
import { sha256File } from '../hash';
import { errorMessage, progressBar } from '../output';

/**
 * Where the command gets its evaluators and prepared datasets. A command of its own prepares the
 * dataset for this run and disposes of it (freshStore); the resident evaluator (eval-server/) keeps
 * both between calls, so its SQL workers and gold results stay warm.
 */
export interface EvalStore {
  evaluators(modules: readonly string[], only: Family): Promise<EvaluatorMap>;
  /** the dataset prepared by `evaluator`; `release` is called once this run is done with it */
  prepare(evaluator: Evaluator, bundle: DatasetBundle): Promise<{ prepared: unknown; release(): Promise<void> }>;
}

export const freshStore: EvalStore = {
  evaluators: loadEvaluators,
  async prepare(evaluator, bundle) {
    const prepared = await evaluator.prepare(bundle);
    return { prepared, release: async () => void (await evaluator.dispose?.(prepared)) };
  },
};

/** What one `trueboard eval` runs with: this process (the default), or one request of the resident evaluator. */
export interface EvalHost {
  io: CliIo;
  store: EvalStore;
  /** aborts the evaluations (the resident evaluator's caller went away) */
  signal?: AbortSignal;
  /** the command's end, with its exit code */
  exit(code: number): Promise<void>;
}

/** The command in this process: it exits when done (the worker pool must not keep it alive). */
const processHost: EvalHost = {
  io: processIo,
  store: freshStore,
  async exit(code) {
    // a resident evaluator for the next call (when enabled; see eval-server/), started as this one ends
    await (await import('../eval-server/spawn')).startEvalServerAfter(process.argv);
    await exitWhenFlushed(code);
  },
};

/** `key=value` pairs of a repeatable option, e.g. `--asset base-model=/models/base.onnx`. */
function parsePairs(pairs: readonly string[], option: string, shape: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CommandFailure(`${option} expects ${shape}, got "${p}"`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** Evaluator options given as `key=value` (numbers and booleans parsed). */
function parseOptions(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsePairs(pairs, '--option', 'key=value'))) {
    out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return out;
}

interface EvalOptions {
  dataset: string;
  predictions: string[];
  out?: string;
  format?: string;
  semantics?: string;
  timeout?: number;
  option: string[];
  device: 'auto' | 'cpu' | 'cuda';
  seed: number;
  evaluators?: string[];
  asset: string[];
  cacheDir?: string;
  /** evaluator settings a family's own mode decides (FamilyEvalCli), applied over every other */
  settings?: Record<string, unknown>;
  /** a family's own mode's use of each report (EvalCliHost.evaluate) */
  onReport?(report: EvaluationReport): Promise<void>;
}

/**
 * The `eval` command, with the options of the family the command line names when that family has
 * its own modes (FamilyEvalCli, loaded only here): `trueboard eval rerank --help` lists them.
 */
export async function loadEvalCommand(
  argv: readonly string[] = process.argv,
  run: EvalHost = processHost,
): Promise<(program: Command) => void> {
  const cli = await evalCliFor(argv, defineEvalCommand(new Command(), false));
  return (program) => {
    const command = defineEvalCommand(program, cli !== undefined);
    if (cli) declareFamilyOptions(command, cli);
    command.action(async (family: string, o: EvalOptions, cmd: Command) => {
      let failed: number;
      try {
        const handled = cli ? await cli.run(o as unknown as Record<string, unknown>, familyHost(family, o, run)) : null;
        if (handled !== null) return await run.exit(handled);
        // a family's own modes make these optional on the command line, not for the generic evaluation
        if (!o.dataset) cmd.error("error: required option '--dataset <dir>' not specified");
        if (!o.predictions?.length) cmd.error("error: required option '--predictions <file...>' not specified");
        failed = await evaluateAll(family, o, run);
      } catch (err) {
        // commander's own (a usage error under exitOverride): it has printed it
        if (err instanceof CommanderError) throw err;
        run.io.err.write(`trueboard: ${errorMessage(err)}\n`);
        return await run.exit(err instanceof CommandFailure ? err.code : 1);
      }
      await run.exit(failed ? 1 : 0);
    });
  };
}

/** What a family's own mode may use of the generic command (see EvalCliHost). */
function familyHost(family: string, o: EvalOptions, run: EvalHost): EvalCliHost {
  return {
    settings: async (dataset) => {
      const root = resolve(dataset);
      const manifest = existsSync(join(root, 'manifest.json')) ? await readManifest(root) : null;
      return { ...(manifest?.evaluator ?? {}), ...parseOptions(o.option) };
    },
    evaluate: ({ dataset, predictions, settings, onReport }) =>
      evaluateAll(
        family,
        { ...o, dataset, predictions: [...predictions], settings: { ...o.settings, ...settings }, onReport },
        run,
      ),
    progress: (label, total) => progressBar(label, total, run.io.err),
    out: (text) => void run.io.out.write(text),
    err: (text) => void run.io.err.write(text),
  };
}

/** The generic options; `--dataset` and `--predictions` are required unless a family adds modes without them. */
function defineEvalCommand(program: Command, familyModes: boolean): Command {
  const required = (flags: string, description: string) =>
    familyModes
      ? ([flags, `${description} (required unless a mode below says otherwise)`] as const)
      : ([flags, description] as const);
  const dataset = required(
    '--dataset <dir>',
    'dataset directory (a benchmark directory with manifest.json, or the raw files)',
  );
  const predictions = required(
    '--predictions <file...>',
    'the artifact to evaluate: a file, or for a family that takes a directory, the directory or a .tar, .tar.gz or .zip of it; several (listed, or the option repeated) are scored in one run that prepares the dataset once and shares the gold results',
  );
  const command = program
    .command('eval <family>')
    .description('evaluate predictions offline with the same evaluator the platform runs; writes the same report');
  if (familyModes) command.option(...dataset).option(...predictions);
  else command.requiredOption(...dataset).requiredOption(...predictions);
  return command
    .option(
      '--out <path>',
      'write the EvaluationReport JSON here; with several artifacts, a directory: <name>.json each',
    )
    .option('--format <format>', 'text2sql: predictions format spider | bird | trueboard (default: detected)')
    .option('--semantics <name>', 'text2sql: semantics of the per-example verdict, spider | bird')
    .option('--timeout <seconds>', 'text2sql: seconds a predicted query may run', Number.parseFloat)
    .option('--option <key=value...>', 'evaluator options (override the manifest\'s "evaluator" settings)', [])
    .option('--device <device>', 'auto | cpu | cuda', 'auto')
    .option('--seed <n>', 'random seed (bootstrap CIs)', (v) => Number.parseInt(v, 10), 20240601)
    .option(
      '--asset <name=file...>',
      'a benchmark asset from another file than <dataset>/assets/<name> (or its manifest `path`); checked against its sha256',
      [],
    )
    .option(
      '--cache-dir <dir>',
      'where directory artifacts are unpacked and assets kept, as on a runner (default TRUEBOARD_CACHE_DIR or ~/.cache/trueboard)',
    )
    .option('--evaluators <module...>', 'extra modules exporting `evaluators` (development)');
}

/** Scores every predictions file with one prepared dataset; returns how many could not be scored. */
async function evaluateAll(familyArg: string, o: EvalOptions, run: EvalHost): Promise<number> {
  const family = Family.safeParse(familyArg);
  if (!family.success) throw new CommandFailure(`unknown family "${familyArg}"; one of ${Family.options.join(', ')}`);
  const root = resolve(o.dataset);
  if (!existsSync(root)) throw new CommandFailure(`${o.dataset}: no such directory`);
  for (const p of o.predictions) if (!existsSync(p)) throw new CommandFailure(`${p}: no such file or directory`);
  const givenAssets = parsePairs(o.asset, '--asset', 'name=file');
  const several = o.predictions.length > 1;
  const outFor = outputs(o.predictions, o.out);
  if (several && o.out) await mkdir(o.out, { recursive: true });
  const inputs = new EvalInputs(o.cacheDir);
  try {
    // loading the evaluator and hashing the files overlap
    const [evaluators, { bundle, declaredAssets }] = await Promise.all([
      run.store.evaluators(o.evaluators ?? [], family.data),
      datasetBundle(root, o),
    ]);
    const evaluator = evaluators[family.data];
    if (!evaluator) throw new CommandFailure(`no evaluator for ${family.data} is installed`);
    const assets = await inputs.assets(root, declaredAssets, bundle.ref, givenAssets);
    if (Object.keys(assets).length > 0) bundle.assets = assets;
    return await scoreAll(evaluator, bundle, inputs, o, outFor, run);
  } finally {
    await inputs.close();
  }
}

/** Prepares the dataset once and scores each artifact through runLocal; returns how many were refused. */
async function scoreAll(
  evaluator: Evaluator,
  bundle: DatasetBundle,
  inputs: EvalInputs,
  o: EvalOptions,
  outFor: (i: number) => string | undefined,
  run: EvalHost,
): Promise<number> {
  const { out, err: errors } = run.io;
  const several = o.predictions.length > 1;
  const { prepared, release } = await run.store.prepare(evaluator, bundle);
  let failed = 0;
  let disposed: Promise<void> | undefined;
  const dispose = () => {
    if (!disposed) {
      disposed = release();
      // awaited below, in `finally`: no unhandled rejection meanwhile
      disposed.catch(() => {});
    }
    return disposed;
  };
  try {
    const device = await deviceFor(evaluator, o.device);
    // every file is scored at once, sharing the gold results; the evaluator runs them in the order
    // they start (the text-to-SQL pool sends the first one's examples first), so each report is
    // made and written while the workers score the next files; the tables come out in file order
    const bar = progressBar(
      several ? `${evaluator.name} (${o.predictions.length} files)` : evaluator.name,
      1000,
      errors,
    );
    const done = o.predictions.map(() => 0);
    const update = (i: number, f: number, m?: string) => {
      done[i] = f;
      const total = done.reduce((a, b) => a + b, 0) / done.length;
      bar.update(Math.round(total * 1000), several ? '' : (m ?? ''));
    };
    const runs = o.predictions.map((path, i) =>
      // the artifact as a runner hands it over: the file, or the directory unpacked by the kit
      inputs
        .artifact(path, evaluator)
        .then((artifact) =>
          runLocal({
            evaluator,
            bundle,
            artifact,
            seed: o.seed,
            device: device.device,
            progress: (f, m) => update(i, f, m),
            log: (level, message) => {
              if (level === 'warn' || level === 'error') errors.write(`${level}: ${message}\n`);
            },
            ...(run.signal ? { signal: run.signal } : {}),
            // one prepared dataset for every artifact: its gold results are computed once
            prepare: async () => prepared,
          }),
        )
        .then(
          async (report) => {
            // written as soon as it is made (the evaluations end one after another), announced in order below
            const out = outFor(i);
            if (out) await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
            return { report, out };
          },
          (err: unknown) => ({ err }),
        ),
    );
    const results = await Promise.all(runs);
    bar.stop();
    // every report is made and written: the evaluator's resources (worker processes) go meanwhile
    void dispose();
    let first = true;
    for (const [i, path] of o.predictions.entries()) {
      const result = results[i];
      if (!result) continue;
      if ('err' in result) {
        const err = result.err;
        // by name, not class: an evaluator module loaded from source has its own copy of it
        if (!(err instanceof Error && err.name === 'SubmissionError')) throw err;
        errors.write(`trueboard: bad predictions: ${several ? `${path}: ` : ''}${err.message}\n`);
        failed++;
        continue;
      }
      const { report } = result;
      if (several) out.write(`${first ? '' : '\n'}${path}\n`);
      first = false;
      out.write(`${metricsTable(report)}\n`);
      if (report.unscorable) out.write(`unscorable examples (excluded): ${report.unscorable}\n`);
      if (result.out) errors.write(`report written to ${result.out}\n`);
      await o.onReport?.(report);
    }
  } finally {
    await dispose();
  }
  return failed;
}

/** The device to run on; CUDA is looked for only when the evaluator can use it. */
async function deviceFor(evaluator: Evaluator, requested: EvalOptions['device']): Promise<{ device: Device }> {
  if (!evaluator.devices || evaluator.devices.includes('cuda')) return chooseDevice(requested);
  if (requested === 'cuda')
    throw new CommandFailure(`${evaluator.name} runs on the CPU only (use --device cpu or auto)`);
  return { device: 'cpu' };
}

/**
 * The dataset as the platform would hand it to a runner (its files, content hash and settings), and
 * the assets its manifest declares, as declared (with where the benchmark directory holds them).
 */
async function datasetBundle(
  root: string,
  o: EvalOptions,
): Promise<{ bundle: DatasetBundle; declaredAssets: Record<string, ManifestAsset> }> {
  const manifest = existsSync(join(root, 'manifest.json')) ? await readManifest(root) : null;
  const paths = await expandFiles(root, manifest?.files ?? ['.']);
  const hashes = await Promise.all(paths.map((path) => sha256File(join(root, path))));
  const files: DatasetFile[] = paths.map((path, i) => ({ path, sha256: hashes[i] ?? '', size: 0 }));
  const bundle: DatasetBundle = {
    root,
    ref: {
      benchmark: manifest?.id ?? basename(root),
      version: 1,
      contentHash: datasetContentHash(files),
      files,
      // the assets a runner would fetch by hash; EvalInputs finds them on this machine instead
      ...(manifest?.assets ? { assets: runnerAssets(manifest.assets) } : {}),
      evaluator: {
        ...(manifest?.evaluator ?? {}),
        ...(existsSync(join(root, 'dev_databases')) && !manifest ? { format: 'bird' } : {}),
        ...(o.format ? { predictionFormat: o.format } : {}),
        ...(o.semantics ? { primarySemantics: o.semantics } : {}),
        ...(o.timeout ? { timeout: o.timeout } : {}),
        ...parseOptions(o.option),
        ...o.settings,
      },
    },
  };
  return { bundle, declaredAssets: manifest?.assets ?? {} };
}
