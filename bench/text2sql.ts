import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exBird, exSpider, firstStatement, goldHasOrderBy, removeDistinct } from '@trueboard/metrics';
import { importLines, type KeptResults, loadSpider, scoreAll, Text2SqlOptions } from '@trueboard/text2sql';
import { dqsName, dqsRewrite, SqlPool } from '@trueboard/text2sql/exec';
import Database from 'better-sqlite3';
import { hostileRun } from './text2sql-hostile';
import { buildCli, compareWithOfficial, officialMissing } from './text2sql-official';
import { compareResident } from './text2sql-resident';

const DIR = fileURLToPath(new URL('../benchmarks/spider-dev', import.meta.url));
const SYSTEMS = ['codes-1b.sql', 'dts-sql-mistral.sql', 'dail-sql-gpt4.sql'];

type Verdicts = (0 | 1 | null)[];

/**
 * The naive baseline: one process, no cache, every gold query re-executed for every system, the
 * same comparison semantics. No timeouts (in-process SQLite cannot be stopped): fine for these files.
 */
function naive(
  ds: ReturnType<typeof loadSpider>,
  preds: Map<string, string>[],
): { spider: Verdicts; bird: Verdicts }[] {
  const conns = new Map<string, Database.Database>();
  const run = (db: string, sql: string) => {
    const path = ds.dbPath(db);
    if (!existsSync(path)) return null;
    let c = conns.get(path);
    if (!c) {
      c = new Database(path, { readonly: true, fileMustExist: true });
      conns.set(path, c);
    }
    // the same double-quoted-string fallback as the platform (stock SQLite semantics)
    for (let q: string | null = sql, tries = 0; q && tries < 64; tries++) {
      try {
        const stmt = c.prepare(q);
        if (!stmt.reader) return null;
        return stmt.raw(true).all() as (number | string | null)[][];
      } catch (err) {
        const name = err instanceof Error ? dqsName(err.message) : null;
        q = name === null ? null : dqsRewrite(q, name);
      }
    }
    return null;
  };
  const out = preds.map((p) => {
    const spider: Verdicts = [];
    const bird: Verdicts = [];
    for (const e of ds.examples) {
      const gold = run(e.dbId, e.goldSql);
      const goldS = run(e.dbId, removeDistinct(e.goldSql));
      if (!gold || !goldS) {
        spider.push(null);
        bird.push(null);
        continue;
      }
      const sql = p.get(e.id);
      const pb = sql ? run(e.dbId, sql) : null;
      const ps = sql ? run(e.dbId, removeDistinct(firstStatement(sql))) : null;
      bird.push(pb && exBird(pb, gold) ? 1 : 0);
      spider.push(ps && exSpider(ps, goldS, { orderMatters: goldHasOrderBy(e.goldSql) }) ? 1 : 0);
    }
    return { spider, bird };
  });
  for (const c of conns.values()) c.close();
  return out;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
/** A result cache of its own (in the SQL workers, under this name): empty at first. */
const cache = (name: string): KeptResults => ({ datasetHash: name, stats: { hits: 0, misses: 0, volatile: 0 } });
const pct = (v: Verdicts) => {
  const s = v.filter((x) => x !== null);
  return ((100 * s.filter((x) => x === 1).length) / s.length).toFixed(2);
};

export async function main() {
  // every `trueboard eval` of this bench is a process of its own, without a resident evaluator,
  // except in text2sql-resident.ts, which starts one in a directory of its own
  process.env.TRUEBOARD_EVAL_SERVER = 'off';
  const ds = loadSpider(DIR);
  const preds = SYSTEMS.map((f) => importLines(readFileSync(join(DIR, 'baselines', f), 'utf8'), ds, f));
  const n = ds.examples.length * SYSTEMS.length;
  process.stdout.write(
    `text2sql: Spider dev, ${ds.examples.length} questions × ${SYSTEMS.length} systems on ${cpus().length} cores\n`,
  );

  let t = process.hrtime.bigint();
  const base = naive(ds, preds);
  const naiveMs = ms(t);

  const options = Text2SqlOptions.parse({ workers: cpus().length });
  const pool = new SqlPool({ size: options.workers });
  const evalAll = async (results: KeptResults) => {
    const out = [];
    for (const p of preds) out.push(await scoreAll(ds, p, { pool, results, options }));
    return out;
  };
  // warm the workers (process start-up is not what is measured)
  await scoreAll(ds, new Map(), { pool, results: cache('warm-up'), options });

  const results = cache('bench');
  t = process.hrtime.bigint();
  const cold = await evalAll(results);
  const coldMs = ms(t);
  t = process.hrtime.bigint();
  const warm = await evalAll(results);
  const warmMs = ms(t);
  // gold cached, predictions never seen before: a fresh cache holding only the gold results
  const goldOnly = cache('bench-gold-only');
  await scoreAll(ds, new Map(), { pool, results: goldOnly, options });
  t = process.hrtime.bigint();
  const fresh = await evalAll(goldOnly);
  const freshMs = ms(t);
  await pool.close();

  let mismatches = 0;
  for (const [s, rows] of warm.entries()) {
    rows.forEach((r, i) => {
      if (r.exSpider !== base[s]?.spider[i] || r.exBird !== base[s]?.bird[i]) mismatches++;
      if (r.exSpider !== cold[s]?.[i]?.exSpider || r.exBird !== cold[s]?.[i]?.exBird) mismatches++;
      if (r.exSpider !== fresh[s]?.[i]?.exSpider || r.exBird !== fresh[s]?.[i]?.exBird) mismatches++;
    });
  }
  const line = (name: string, v: number) =>
    `  ${name.padEnd(34)} ${(v / 1000).toFixed(2).padStart(7)} s  ${((n / v) * 1000).toFixed(0).padStart(6)} examples/s  ${(naiveMs / v).toFixed(2)}× naive\n`;
  process.stdout.write(line('naive (1 process, no cache)', naiveMs));
  process.stdout.write(line('platform, cold (result cache empty)', coldMs));
  process.stdout.write(line('platform, warm (second run)', warmMs));
  process.stdout.write(line('platform, gold warm, new predictions', freshMs));
  SYSTEMS.forEach((f, i) => {
    const b = base[i];
    if (b) process.stdout.write(`  ${f.padEnd(22)} EX spider ${pct(b.spider)}  EX bird ${pct(b.bird)}\n`);
  });
  process.stdout.write(`  verdicts differing from the naive run: ${mismatches}\n`);
  if (mismatches) process.exitCode = 1;

  buildCli();
  process.stdout.write('\ntext2sql: `trueboard eval` against the official BIRD evaluation.py (bird semantics)\n');
  const missing = officialMissing();
  if (missing) {
    process.stdout.write(`  ${missing}: no comparison\n`);
    process.exitCode = 2;
  } else {
    const official = compareWithOfficial(SYSTEMS);
    for (const line of official.lines) process.stdout.write(`${line}\n`);
    for (const d of official.disagreements) process.stdout.write(`  DISAGREES: ${d}\n`);
    if (official.disagreements.length) process.exitCode = 1;
    const resident = compareResident(SYSTEMS);
    for (const line of resident.lines) process.stdout.write(`${line}\n`);
    for (const d of resident.disagreements) process.stdout.write(`  DISAGREES: ${d}\n`);
    if (resident.disagreements.length) process.exitCode = 1;
  }
  process.stdout.write('\ntext2sql: hostile predictions (bench/fixtures/spider-hostile.json)\n');
  for (const line of hostileRun()) process.stdout.write(`${line}\n`);
}
