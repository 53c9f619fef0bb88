import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { apiHeaders, type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail, progressBar, table } from '../output';
import { registerProposeCommand } from './corrections-propose';

const withServer = (c: Command) => c.addOption(serverOption()).addOption(tokenOption('API token'));

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a version number, got "${v}"`);
  return n;
};

/** The annotation files of a layout: everything but the databases. */
const isAnnotation = (path: string) => !/^(database|dev_databases)\//.test(path);

export function registerCorrectionCommands(program: Command) {
  withServer(
    program
      .command('export')
      .description('download a dataset version')
      .command('annotations')
      .description(
        'write a version of a benchmark in its original layout (annotation files; databases with --with-databases), plus diff.json and CHANGELOG.md',
      )
      .requiredOption('--benchmark <id>', 'benchmark id')
      .requiredOption('--version <n>', 'dataset version number', positive)
      .requiredOption('--out <dir>', 'directory to write into (created)')
      .option('--with-databases', 'also download the database files'),
  ).action(async (o) => {
    try {
      const auth: ServerOptions = { server: o.server, token: o.token };
      const v = await trpcClient(auth).corrections.version.query({ benchmark: o.benchmark, version: o.version });
      const files = v.files.filter((f) => o.withDatabases || isAnnotation(f.path));
      const bar = progressBar('downloading', files.length);
      const base = `${o.server.replace(/\/$/, '')}/api/benchmarks/${o.benchmark}/versions/${o.version}`;
      for (const [i, f] of files.entries()) {
        const res = await fetch(`${base}/files/${f.path.split('/').map(encodeURIComponent).join('/')}`, {
          headers: apiHeaders(auth),
        });
        if (!res.ok) throw new Error(`${f.path}: HTTP ${res.status}`);
        const target = join(o.out, f.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.from(await res.arrayBuffer()));
        bar.update(i + 1, f.path);
      }
      bar.stop();
      for (const [name, path] of [
        ['diff.json', 'diff.json'],
        ['CHANGELOG.md', 'changelog.md'],
      ] as const) {
        const res = await fetch(`${base}/${path}`, { headers: apiHeaders(auth) });
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
        writeFileSync(join(o.out, name), await res.text());
      }
      process.stdout.write(
        `${o.benchmark} v${o.version}: ${files.length} files, diff.json and CHANGELOG.md in ${o.out}\n`,
      );
    } catch (err) {
      fail(errorMessage(err));
    }
  });

  const corrections = program.command('corrections').description('audited corrections of gold annotations');
  registerProposeCommand(corrections);
  withServer(
    corrections
      .command('import')
      .description(
        'diff a corrected copy of a benchmark (its annotation files, original layout) against the latest version and propose one correction per changed example',
      )
      .requiredOption('--benchmark <id>', 'benchmark id')
      .requiredOption(
        '--corrected <dir>',
        'directory holding the corrected annotation files (e.g. dev.json, dev_gold.sql)',
      )
      .option('--source <text>', 'where the corrections come from (written into each rationale)'),
  ).action(async (o) => {
    try {
      if (!o.token) fail('authenticate with --token (or TRUEBOARD_TOKEN)');
      const auth: ServerOptions = { server: o.server, token: o.token };
      const client = trpcClient(auth);
      const latest = (await client.benchmarks.versions.query({ id: o.benchmark }))[0];
      if (!latest) fail(`benchmark ${o.benchmark} has no version`);
      const files: Record<string, string> = {};
      for (const f of latest.files.filter((x) => isAnnotation(x.path))) {
        const p = join(o.corrected, f.path);
        if (existsSync(p)) files[f.path] = readFileSync(p, 'utf8');
      }
      if (!Object.keys(files).length) fail(`${o.corrected} holds none of the benchmark's annotation files`);
      const r = await client.corrections.importUpstream.mutate({
        benchmark: o.benchmark,
        files,
        source: o.source ?? `a corrected copy (${o.corrected})`,
      });
      for (const c of r.created)
        process.stdout.write(`proposed ${c.id}: example ${c.exampleId} (${c.fields.join(', ')}), ${c.validation}\n`);
      for (const c of r.refused) process.stdout.write(`refused: example ${c.exampleId}: ${c.message}\n`);
      if (r.added.length)
        process.stdout.write(
          `not applied: ${r.added.length} example(s) only in the copy: ${r.added.slice(0, 20).join(', ')}\n`,
        );
      if (r.removed.length)
        process.stdout.write(
          `not applied: ${r.removed.length} example(s) missing from the copy: ${r.removed.slice(0, 20).join(', ')}\n`,
        );
      process.stdout.write(`${r.created.length} correction(s) proposed against v${r.version}, ready for review\n`);
    } catch (err) {
      fail(errorMessage(err));
    }
  });

  withServer(
    program
      .command('impact')
      .description('what a release did to the ranking: scores, ranks, rank correlation, flipped examples')
      .requiredOption('--benchmark <id>', 'benchmark id')
      .requiredOption('--from <n>', 'earlier version', positive)
      .requiredOption('--to <n>', 'later version', positive)
      .option('--json', 'print the full impact as JSON'),
  ).action(async (o) => {
    try {
      const im = await trpcClient({ server: o.server, token: o.token }).corrections.impact.query({
        benchmark: o.benchmark,
        from: o.from,
        to: o.to,
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(im, null, 2)}\n`);
        return;
      }
      const m = im.metric ? `${im.metric.name} (${im.metric.semantics})` : 'primary metric';
      process.stdout.write(`${o.benchmark}: ${m}, v${o.from} → v${o.to}\n`);
      process.stdout.write(
        `${table(
          im.systems.map((s) => ({
            system: `${s.method} (${s.team})`,
            [`v${o.from}`]: s.scoreFrom.toFixed(2),
            [`v${o.to}`]: s.scoreTo.toFixed(2),
            change: `${s.change >= 0 ? '+' : ''}${s.change.toFixed(2)}`,
            rank: `${s.rankFrom} → ${s.rankTo}`,
            flipped: im.flips.find((f) => f.submissionId === s.submissionId)?.flipped.length ?? 0,
          })),
        )}\n`,
      );
      // over HTTP an undefined correlation (every system scores the same: NaN) arrives as null
      const num = (x: number | null) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : 'n/a');
      const c = (name: string, t: typeof im.spearman) =>
        t ? `${name} ${num(t.value)} (p = ${num(t.p)}, ${t.method}, n = ${t.n})` : `${name} n/a (fewer than 2 systems)`;
      process.stdout.write(`${c('Spearman ρ', im.spearman)}\n${c('Kendall τ-b', im.kendallTauB)}\n`);
    } catch (err) {
      fail(errorMessage(err));
    }
  });
}
