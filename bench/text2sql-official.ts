import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Measured, measureOk, median, seconds } from './measure';

/*
 * `trueboard eval text2sql` against the script it replaces: BIRD's official evaluation.py (kept
 * unchanged in ../shared/reference/bird-eval, with run_spider.py to run it on Spider's layout), on
 * the same predictions with the same (bird) semantics, each timed as a whole process, in the same
 * run, interleaved so a busy machine slows both alike.
 */

export const REPO = fileURLToPath(new URL('..', import.meta.url));
/** next to the repository, as the README of bird-eval describes */
export const BIRD_EVAL = join(REPO, '..', 'shared', 'reference', 'bird-eval');
export const DATASET = join(REPO, 'benchmarks', 'spider-dev');
/** what `npx trueboard` ends up running: npm's link to packages/cli/bin/trueboard */
export const CLI = join(REPO, 'node_modules', '.bin', 'trueboard');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Why the official baseline cannot run here, or null. */
export function officialMissing(): string | null {
  const runner = join(BIRD_EVAL, 'run_spider.py');
  if (!existsSync(runner))
    return `the official BIRD evaluator is missing: no ${runner} (../shared/reference/bird-eval next to the repository)`;
  const py = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (py.status !== 0) return 'python3 is not on the PATH (the official evaluator is a Python script)';
  return null;
}

/** Builds the CLI bundle and checks that `trueboard` runs it (not the sources through tsx). */
export function buildCli(): void {
  const b = spawnSync(process.execPath, [join(REPO, 'packages', 'cli', 'build.mjs')], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`building the CLI failed:\n${b.stderr}`);
  const v = spawnSync(CLI, ['-V'], { encoding: 'utf8' });
  if (v.status !== 0 || v.stderr.includes('bundle')) throw new Error(`trueboard -V after the build:\n${v.stderr}`);
}

/** `trueboard eval text2sql` on Spider dev with these predictions, writing `out`, plus `options`. */
export const evalText2sql = (preds: string, out: string, ...options: string[]) => [
  'eval',
  'text2sql',
  '--dataset',
  DATASET,
  '--predictions',
  preds,
  ...options,
  '--out',
  out,
];

const official = (preds: string) => measureOk('python3', [join(BIRD_EVAL, 'run_spider.py'), DATASET, preds]);
const trueboard = (args: readonly string[], env?: NodeJS.ProcessEnv) => measureOk(CLI, args, undefined, env);

/** The official script's "total" EX: every line counts, so wta_1's unscorable questions are wrong there. */
export function officialTotal(m: Measured): string {
  const total = /^accuracy\s.*?([\d.]+)\s*$/m.exec(m.stdout)?.[1];
  if (!total) throw new Error(`no accuracy line in the official output:\n${m.stdout}`);
  return total;
}

/** Ours on the official script's scale: examples right under bird semantics over every example. */
export function ourTotal(reportFile: string): string {
  const r = JSON.parse(readFileSync(reportFile, 'utf8')) as { examples: { data: { ex_bird: unknown } }[] };
  return ((100 * r.examples.filter((e) => e.data.ex_bird === 1).length) / r.examples.length).toFixed(2);
}

/**
 * Per system, RUNS times: the official script on its predictions, then each of `variants` (ours,
 * given that official run, returning its wall time), interleaved so a busy machine slows all alike.
 * Returns the medians per system: the official script's first, then each variant's.
 */
export function interleaved(
  systems: readonly string[],
  variants: readonly ((system: string, i: number, official: Measured) => number)[],
): number[][] {
  const medians: number[][] = [[], ...variants.map(() => [])];
  for (const system of systems) {
    const times: number[][] = medians.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      const off = official(join(DATASET, 'baselines', system));
      times[0]?.push(off.wallMs);
      for (const [k, variant] of variants.entries()) times[k + 1]?.push(variant(system, i, off));
    }
    for (const [k, t] of times.entries()) medians[k]?.push(median(t));
  }
  return medians;
}

export interface OfficialRows {
  /** lines to print */
  lines: string[];
  /** examples whose totals disagree with the official script (must be none) */
  disagreements: string[];
}

export function compareWithOfficial(systems: readonly string[]): OfficialRows {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-official-'));
  const lines: string[] = [];
  const disagreements: string[] = [];
  const row = (name: string, ms: number, ratio?: string, target?: string) =>
    lines.push(
      `  ${name.padEnd(46)} ${seconds(ms).padStart(8)}  ${(ratio ?? '').padStart(7)}${target ? `  ${target}` : ''}`,
    );
  try {
    const version = Array.from({ length: 2 * RUNS }, () => trueboard(['-V']).wallMs);
    const help = Array.from({ length: 2 * RUNS }, () => trueboard(['--help']).wallMs);

    const out = (system: string) => join(dir, `${system}.json`);
    const args = (system: string) =>
      evalText2sql(join(DATASET, 'baselines', system), out(system), '--semantics', 'bird');
    const [officialMs = [], oursMs = []] = interleaved(systems, [
      (system, i, off) => {
        const ms = trueboard(args(system)).wallMs;
        if (i === 0 && officialTotal(off) !== ourTotal(out(system)))
          disagreements.push(`${system}: official total EX ${officialTotal(off)}, trueboard ${ourTotal(out(system))}`);
        return ms;
      },
    ]);
    const all = systems.flatMap((s) => ['--predictions', join(DATASET, 'baselines', s)]);
    const together = Array.from(
      { length: RUNS },
      () =>
        trueboard(['eval', 'text2sql', '--dataset', DATASET, ...all, '--semantics', 'bird', '--out', join(dir, 'all')])
          .wallMs,
    );

    lines.push(`  ${'whole process, median of'.padEnd(46)} ${String(RUNS).padStart(8)}  vs official`);
    systems.forEach((system, i) => {
      const [off, ours] = [officialMs[i] ?? Number.NaN, oursMs[i] ?? Number.NaN];
      row(`official evaluation.py, ${system}`, off, '1.00×');
      row(`trueboard eval, ${system}`, ours, `${(off / ours).toFixed(2)}×`, 'target ≥ 1×');
    });
    const threeOfficial = officialMs.reduce((a, b) => a + b, 0);
    row(`official, ${systems.length} runs (sum of the medians above)`, threeOfficial, '1.00×');
    row(
      `trueboard eval, ${systems.length} systems in one call`,
      median(together),
      `${(threeOfficial / median(together)).toFixed(2)}×`,
      `target ≥ ${systems.length}×`,
    );
    row('trueboard -V', median(version), '', 'target ≤ 0.30 s');
    row('trueboard --help', median(help), '', 'target ≤ 0.30 s');
    for (const s of systems) {
      // one call for several systems must score each exactly as a call of its own does
      if (ourTotal(join(dir, 'all', `${basename(s, '.sql')}.json`)) !== ourTotal(join(dir, `${s}.json`)))
        disagreements.push(`${s}: the ${systems.length}-system call scored it differently`);
    }
    return { lines, disagreements };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
