import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type DatasetFile, EvaluationReport, Family, SubmissionError } from '@trueboard/contracts';
import { datasetContentHash, expandFiles, readManifest } from '@trueboard/core';
import { chooseDevice, describeHardware, RUNNER_VERSION } from '@trueboard/kit';
import type { Command } from 'commander';
import { loadEvaluators } from '../evaluators';
import { sha256File } from '../hash';
import { errorMessage, fail, progressBar, table } from '../output';

/** Evaluator options given as `key=value` (numbers and booleans parsed). */
function parseOptions(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`--option expects key=value, got "${p}"`);
    const v = p.slice(i + 1);
    out[p.slice(0, i)] =
      v === 'true' ? true : v === 'false' ? false : v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return out;
}

export function registerEvalCommand(program: Command) {
  program
    .command('eval <family>')
    .description('evaluate predictions offline with the same evaluator the platform runs; writes the same report')
    .requiredOption('--dataset <dir>', 'dataset directory (a benchmark directory with manifest.json, or the raw files)')
    .requiredOption('--predictions <file>', 'the artifact to evaluate')
    .option('--out <file>', 'write the EvaluationReport JSON here')
    .option('--format <format>', 'text2sql: predictions format spider | bird | trueboard (default: detected)')
    .option('--semantics <name>', 'text2sql: semantics of the per-example verdict, spider | bird')
    .option('--timeout <seconds>', 'text2sql: seconds a predicted query may run', Number.parseFloat)
    .option('--option <key=value...>', 'evaluator options (override the manifest\'s "evaluator" settings)', [])
    .option('--device <device>', 'auto | cpu | cuda', 'auto')
    .option('--seed <n>', 'random seed (bootstrap CIs)', (v) => Number.parseInt(v, 10), 20240601)
    .option('--evaluators <module...>', 'extra modules exporting `evaluators` (development)')
    .action(async (familyArg: string, o) => {
      try {
        const family = Family.safeParse(familyArg);
        if (!family.success) fail(`unknown family "${familyArg}"; one of ${Family.options.join(', ')}`);
        const evaluators = await loadEvaluators(o.evaluators ?? []);
        const evaluator = evaluators[family.data];
        if (!evaluator) fail(`no evaluator for ${family.data} is installed`);
        const root = resolve(o.dataset);
        if (!existsSync(root)) fail(`${o.dataset}: no such directory`);
        if (!existsSync(o.predictions)) fail(`${o.predictions}: no such file`);
        const manifest = existsSync(join(root, 'manifest.json')) ? await readManifest(root) : null;
        const paths = await expandFiles(root, manifest?.files ?? ['.']);
        const files: DatasetFile[] = [];
        for (const path of paths) files.push({ path, sha256: await sha256File(join(root, path)), size: 0 });
        const ref = {
          benchmark: manifest?.id ?? basename(root),
          version: 1,
          contentHash: datasetContentHash(files),
          files,
          evaluator: {
            ...(manifest?.evaluator ?? {}),
            ...(existsSync(join(root, 'dev_databases')) && !manifest ? { format: 'bird' } : {}),
            ...(o.format ? { predictionFormat: o.format } : {}),
            ...(o.semantics ? { primarySemantics: o.semantics } : {}),
            ...(o.timeout ? { timeout: o.timeout } : {}),
            ...parseOptions(o.option),
          },
        };
        const device = await chooseDevice(o.device);
        const artifactHash = await sha256File(o.predictions);
        const prepared = await evaluator.prepare({ ref, root });
        const bar = progressBar(`${evaluator.name}`, 1000);
        const report = await evaluator.evaluate(
          prepared,
          { sha256: artifactHash, path: resolve(o.predictions), mediaType: 'application/octet-stream' },
          {
            device: device.device,
            seed: o.seed,
            signal: new AbortController().signal,
            progress: (f, m) => bar.update(Math.round(f * 1000), m ?? ''),
            log: (level, message) => {
              if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
            },
            provenance: {
              runnerVersion: RUNNER_VERSION,
              hostname: hostname(),
              datasetHash: ref.contentHash,
              artifactHash,
              hardware: describeHardware(),
            },
          },
        );
        bar.stop();
        await evaluator.dispose?.(prepared);
        const valid = EvaluationReport.parse(report);
        process.stdout.write(
          `${table(
            valid.metrics.map((m) => ({
              metric: m.name,
              semantics: m.semantics,
              value: m.value.toFixed(2),
              ci95: m.ci ? `[${m.ci.low.toFixed(2)}, ${m.ci.high.toFixed(2)}]` : '',
              n: m.n,
            })),
          )}\n`,
        );
        if (valid.unscorable) process.stdout.write(`unscorable examples (excluded): ${valid.unscorable}\n`);
        if (o.out) {
          await writeFile(o.out, `${JSON.stringify(valid, null, 2)}\n`);
          process.stderr.write(`report written to ${o.out}\n`);
        }
        process.exit(0);
      } catch (err) {
        fail(err instanceof SubmissionError ? `bad predictions: ${err.message}` : errorMessage(err));
      }
    });
}
