import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@trueboard/db/embedded';
import { trpcHttp } from '@trueboard/testkit';
import { expect, it } from 'vitest';
import { health, npmStart, runCli, waitFor } from './helpers';

const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));

interface Metric {
  name: string;
  semantics: string;
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

const trpc = <T>(port: number, path: string, input: unknown) => trpcHttp<T>(`http://127.0.0.1:${port}`, path, input);

it('registers Spider dev on first start and its runner scores the three published systems; eval offline agrees', {
  timeout: 600_000,
}, async () => {
  // independent of the evaluator: the questions on wta_1 (shipped without rows) are the unscorable ones
  const dev = JSON.parse(readFileSync(join(SPIDER, 'dev.json'), 'utf8')) as { db_id: string }[];
  const missing = dev.filter((q) => q.db_id === 'wta_1').length;
  expect([dev.length, missing]).toEqual([1034, 62]);

  const dataDir = mkdtempSync(join(tmpdir(), 'tb-spider-'));
  const port = await freePort();
  const run = npmStart(port, dataDir, ['--no-web', '--runners', '1']);
  try {
    await waitFor(
      () => `health:\n${run.output()}`,
      () => (run.hasExited() ? Promise.reject(new Error(run.output())) : health(port)),
      240_000,
    );
    type Sub = { id: string; state: string; method: string; team: string; isBaseline: boolean };
    const subs = await waitFor(
      () => `three finished baselines:\n${run.output()}`,
      async () => {
        const list = await trpc<Sub[]>(port, 'submissions.list', { benchmark: 'spider-dev' });
        return list.length === 3 && list.every((s) => s.state === 'finished') ? list : null;
      },
      300_000,
    );
    expect(subs.map((s) => s.method).sort()).toEqual(['CodeS-1B', 'DAIL-SQL (GPT-4)', 'DTS-SQL (Mistral 7B)']);
    expect(subs.every((s) => s.isBaseline && s.team === 'baselines')).toBe(true);

    for (const s of subs) {
      const result = await trpc<{ unscorable: number; metrics: Metric[] }>(port, 'submissions.result', { id: s.id });
      expect(result.unscorable).toBe(missing);
      const names = result.metrics.map((m) => `${m.name}/${m.semantics}`).sort();
      expect(names).toEqual(['ex/bird', 'ex/spider', 'soft_f1/bird-minidev']);
      for (const m of result.metrics) {
        expect(m.n).toBe(dev.length - missing);
        expect(m.ciLow).toBeLessThan(m.value);
        expect(m.ciHigh).toBeGreaterThan(m.value);
      }
      // per-example rows: every wta_1 question is unscorable with the reason, none is counted as wrong
      const { rows: unscorable } = await trpc<{ rows: { exampleId: string; reason: string }[] }>(
        port,
        'submissions.examples',
        {
          id: s.id,
          verdict: 'unscorable',
          limit: 1000,
        },
      );
      expect(unscorable).toHaveLength(missing);
      expect(new Set(unscorable.map((e) => e.reason))).toEqual(new Set(['database wta_1 is missing']));
    }

    // the offline evaluator on the same predictions gives the same numbers as the platform's runner
    const codes = subs.find((s) => s.method === 'CodeS-1B');
    const platform = await trpc<{ metrics: Metric[] }>(port, 'submissions.result', { id: codes?.id });
    const out = join(dataDir, 'codes-report.json');
    const offline = await runCli([
      'eval',
      'text2sql',
      '--dataset',
      SPIDER,
      '--predictions',
      join(SPIDER, 'baselines', 'codes-1b.sql'),
      '--format',
      'spider',
      '--out',
      out,
    ]);
    expect(offline.code, offline.output).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      unscorable: number;
      metrics: { name: string; semantics: string; value: number; n: number; ci: { low: number; high: number } }[];
    };
    expect(report.unscorable).toBe(missing);
    for (const m of report.metrics) {
      const on = platform.metrics.find((x) => x.name === m.name && x.semantics === m.semantics);
      expect(on, `${m.name}/${m.semantics}`).toMatchObject({
        value: m.value,
        n: m.n,
        ciLow: m.ci.low,
        ciHigh: m.ci.high,
      });
    }
    // the summary table names the semantics next to each number
    expect(offline.output).toMatch(/ex\s+spider\s+\d+\.\d\d/);

    // the bundled corrections go through the workflow on first start: v2 is released once v1 is
    // scored, and the runner re-scores the three systems on it
    const curated = JSON.parse(readFileSync(join(SPIDER, 'corrections', 'corrections.json'), 'utf8')) as {
      corrections: { exampleId: string; fields: { query: string } }[];
    };
    const board2 = await waitFor(
      () => `v2 scored:\n${run.output()}`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/leaderboard/spider-dev.json?v=2&page=1`);
        const b = res.ok ? ((await res.json()) as { total: number; rows: { method: string }[] }) : null;
        return b && b.total === 3 ? b : null;
      },
      240_000,
    );
    expect(board2.rows.map((r) => r.method).sort()).toEqual(subs.map((s) => s.method).sort());
    const list = await trpc<{ state: string; exampleId: string; proposer: string }[]>(port, 'corrections.list', {
      benchmark: 'spider-dev',
    });
    expect(list.map((c) => c.state)).toEqual(curated.corrections.map(() => 'released'));
    expect(new Set(list.map((c) => c.proposer))).toEqual(new Set(['Trueboard curator']));

    // the CLI: export v2 in the original layout — equal to the input but for the corrected queries
    const creds = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as { apiToken: string };
    const server = ['--server', `http://127.0.0.1:${port}`, '--token', creds.apiToken];
    const out2 = join(dataDir, 'export-v2');
    const exported = await runCli([
      'export',
      'annotations',
      '--benchmark',
      'spider-dev',
      '--version',
      '2',
      '--out',
      out2,
      ...server,
    ]);
    expect(exported.code, exported.output).toBe(0);
    const orig = JSON.parse(readFileSync(join(SPIDER, 'dev.json'), 'utf8')) as Record<string, unknown>[];
    const v2dev = JSON.parse(readFileSync(join(out2, 'dev.json'), 'utf8')) as Record<string, unknown>[];
    const fixed = new Map(curated.corrections.map((c) => [Number(c.exampleId), c.fields.query]));
    // the corrected examples: new query, regenerated token lists, `sql` (the old parse) removed
    const withoutDerived = ({ sql: _s, query_toks: _t, query_toks_no_value: _v, ...e }: Record<string, unknown>) => e;
    expect(v2dev.map(withoutDerived)).toEqual(
      orig.map((e, i) => (fixed.has(i) ? { ...withoutDerived(e), query: fixed.get(i) } : withoutDerived(e))),
    );
    expect(v2dev.filter((_, i) => !fixed.has(i))).toEqual(orig.filter((_, i) => !fixed.has(i)));
    expect(v2dev.filter((e) => 'sql' in e).length).toBe(orig.length - fixed.size);
    // two by hand, by analogy with the shipped lists of the same shapes (387's old query, 493's)
    expect([v2dev[387]?.query_toks, v2dev[387]?.query_toks_no_value]).toEqual([
      ['select', 'name', 'from', 'teacher', 'where', 'hometown', '!=', '"Little Lever Urban District"'],
      ['select', 'name', 'from', 'teacher', 'where', 'hometown', '!', '=', 'value'],
    ]);
    expect([v2dev[493]?.query_toks, v2dev[493]?.query_toks_no_value]).toEqual([
      ['SELECT', 'name', ',', 'date', ',', 'result', 'FROM', 'battle'],
      ['select', 'name', ',', 'date', ',', 'result', 'from', 'battle'],
    ]);
    const goldIn = readFileSync(join(SPIDER, 'dev_gold.sql'), 'utf8').split('\n');
    const goldOut = readFileSync(join(out2, 'dev_gold.sql'), 'utf8').split('\n');
    expect(goldOut).toEqual(goldIn.map((l, i) => (fixed.has(i) ? `${fixed.get(i)}\t${l.split('\t')[1]}` : l)));
    expect(readFileSync(join(out2, 'tables.json'), 'utf8')).toBe(readFileSync(join(SPIDER, 'tables.json'), 'utf8'));
    const diff = JSON.parse(readFileSync(join(out2, 'diff.json'), 'utf8')) as { changes: { exampleId: string }[] };
    expect(diff.changes.map((c) => c.exampleId).sort()).toEqual([...fixed.keys()].map(String).sort());
    expect(readFileSync(join(out2, 'CHANGELOG.md'), 'utf8')).toMatch(/## Example 493 — wrong_gold/);

    // the impact of the release, from the CLI
    const im = await runCli(['impact', '--benchmark', 'spider-dev', '--from', '1', '--to', '2', ...server]);
    expect(im.code, im.output).toBe(0);
    expect(im.output).toMatch(/Spearman ρ -?\d\.\d{3} \(p = \d\.\d{3}, exact, n = 3\)/);

    // upstream import: a corrected copy with one reworded question and one extra example
    const copy = join(dataDir, 'upstream');
    cpSync(out2, copy, { recursive: true });
    const edited = v2dev.map((e, i) => (i === 10 ? { ...e, question: `${String(e.question)} (reworded)` } : e));
    writeFileSync(join(copy, 'dev.json'), JSON.stringify([...edited, { ...orig[0] }], null, 4));
    writeFileSync(
      join(copy, 'dev_gold.sql'),
      `${readFileSync(join(copy, 'dev_gold.sql'), 'utf8').trimEnd()}\nSELECT 1\tconcert_singer\n`,
    );
    const imported = await runCli([
      'corrections',
      'import',
      '--benchmark',
      'spider-dev',
      '--corrected',
      copy,
      '--source',
      'test upstream',
      ...server,
    ]);
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(/proposed [0-9a-f-]{36}: example 10 \(question\)/);
    expect(imported.output).toMatch(/not applied: 1 example\(s\) only in the copy: 1034/);
    expect(imported.output).toMatch(/1 correction\(s\) proposed against v2/);
  } finally {
    process.kill(-(run.child.pid ?? 0), 'SIGTERM');
    await run.exited;
  }
});
