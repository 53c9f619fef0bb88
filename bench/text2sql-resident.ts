import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { measureOk, median, seconds } from './measure';
import { CLI, DATASET, evalText2sql, interleaved, officialTotal, ourTotal } from './text2sql-official';

/*
 * `trueboard eval` through the resident evaluator (packages/cli/src/eval-server) against the
 * official script, interleaved as in text2sql-official.ts. The server is started once and warmed
 * by one call on Spider dev (its gold results, workers and parsed questions stay); then every timed
 * call scores predictions it has never seen: each run's copy of a system's file carries a comment of
 * its own on every line (`/* run 3 *\/`), so no predicted query is found in the result cache, while
 * what SQLite executes and every verdict stay the same (checked against the official total). A last
 * row repeats the same three files, which the result cache then answers.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

export function compareResident(systems: readonly string[]): { lines: string[]; disagreements: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-resident-'));
  const serverDir = join(dir, 'server');
  mkdirSync(serverDir, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = { ...process.env, TRUEBOARD_EVAL_SERVER: 'on', TRUEBOARD_EVAL_SERVER_DIR: serverDir };
  const trueboard = (args: readonly string[]) => measureOk(CLI, args, undefined, env);
  const lines: string[] = [];
  const disagreements: string[] = [];
  const row = (name: string, ms: number, ratio?: string, target?: string) =>
    lines.push(
      `  ${name.padEnd(46)} ${seconds(ms).padStart(8)}  ${(ratio ?? '').padStart(7)}${target ? `  ${target}` : ''}`,
    );
  /** a copy of `system`'s predictions no call has seen: the same queries, each with comment `tag` */
  const unseen = (system: string, tag: string) => {
    const text = readFileSync(join(DATASET, 'baselines', system), 'utf8');
    const file = join(dir, tag, system);
    mkdirSync(join(dir, tag), { recursive: true });
    const tagged = text.split('\n').map((line) => (line.trim() ? line.replace(/(\t.*)?$/, ` /* ${tag} */$1`) : line));
    writeFileSync(file, tagged.join('\n'));
    return file;
  };
  const server = spawn(CLI, ['eval-server', 'run'], { env, stdio: 'ignore' });
  try {
    waitForServer(env);
    trueboard(evalText2sql(unseen(systems[0] ?? '', 'warm-up'), join(dir, 'warm-up.json'), '--semantics', 'bird'));
    const out = (system: string, i: number) => join(dir, `${system}-${i}.json`);
    const [officialMs = [], oursMs = []] = interleaved(systems, [
      (system, i, off) => {
        const ms = trueboard(evalText2sql(unseen(system, `one-${i}`), out(system, i), '--semantics', 'bird')).wallMs;
        if (officialTotal(off) !== ourTotal(out(system, i)))
          disagreements.push(
            `${system}: official total EX ${officialTotal(off)}, resident ${ourTotal(out(system, i))}`,
          );
        return ms;
      },
    ]);
    const all = (tag: string) => systems.flatMap((s) => ['--predictions', unseen(s, tag)]);
    const threeArgs = (tag: string, files: string[]) => [
      'eval',
      'text2sql',
      '--dataset',
      DATASET,
      ...files,
      '--semantics',
      'bird',
      '--out',
      join(dir, `out-${tag}`),
    ];
    const together = Array.from(
      { length: RUNS },
      (_, i) => trueboard(threeArgs(`three-${i}`, all(`three-${i}`))).wallMs,
    );
    const again = all('three-0');
    const repeated = Array.from({ length: RUNS }, (_, i) => trueboard(threeArgs(`again-${i}`, again)).wallMs);
    for (const s of systems) {
      const name = `${basename(s, '.sql')}.json`;
      if (ourTotal(join(dir, 'out-three-0', name)) !== ourTotal(join(dir, `${s}-0.json`)))
        disagreements.push(`${s}: the resident ${systems.length}-system call scored it differently`);
    }

    lines.push(
      `  ${'resident evaluator, new predictions, median of'.padEnd(46)} ${String(RUNS).padStart(8)}  vs official`,
    );
    systems.forEach((system, i) => {
      const [off, ours] = [officialMs[i] ?? Number.NaN, oursMs[i] ?? Number.NaN];
      row(`official evaluation.py, ${system}`, off, '1.00×');
      row(`trueboard eval (resident), ${system}`, ours, `${(off / ours).toFixed(2)}×`, 'target ≥ 1×');
    });
    const threeOfficial = officialMs.reduce((a, b) => a + b, 0);
    row(`official, ${systems.length} runs (sum of the medians above)`, threeOfficial, '1.00×');
    row(
      `trueboard eval (resident), ${systems.length} systems, one call`,
      median(together),
      `${(threeOfficial / median(together)).toFixed(2)}×`,
      `target ≥ ${systems.length}×`,
    );
    row(
      '  the same 3 files again (result cache)',
      median(repeated),
      `${(threeOfficial / median(repeated)).toFixed(2)}×`,
    );
    return { lines, disagreements };
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until `trueboard eval-server status` finds the server. */
function waitForServer(env: NodeJS.ProcessEnv): void {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = measureOk(CLI, ['eval-server', 'status'], undefined, env);
    if (r.stdout.startsWith('pid ')) return;
    if (Date.now() > deadline) throw new Error(`the resident evaluator did not start:\n${r.stdout}${r.stderr}`);
  }
}
