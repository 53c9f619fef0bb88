import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from '@trueboard/contracts';

/** the repo's copy of the real Spider dev data (provenance in its README) */
export const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));

/** the official evaluators' per-example verdicts on SPIDER (provenance in its README) */
export const REFERENCE = join(SPIDER, 'reference-verdicts');

export interface ReferenceVerdict {
  idx: number;
  db_id: string;
  /** 1 / 0 for EX, [0, 1] for Soft-F1, null for an unscorable question */
  verdict: number | null;
}

/** One reference file, `<system>.<semantics>.jsonl`, one verdict per dev.json example, in order. */
export function readReference(system: string, semantics: 'bird' | 'spider' | 'softf1'): ReferenceVerdict[] {
  const file = join(REFERENCE, `${system}.${semantics}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const r = JSON.parse(line) as Partial<ReferenceVerdict>;
      if (
        typeof r.idx !== 'number' ||
        typeof r.db_id !== 'string' ||
        !(r.verdict === null || typeof r.verdict === 'number')
      )
        throw new Error(`${file} line ${i + 1}: expected {"idx", "db_id", "verdict"}`);
      return { idx: r.idx, db_id: r.db_id, verdict: r.verdict };
    });
}

/**
 * A small Spider-layout dataset over the real concert_singer database (and wta_1, which ships
 * without rows), with questions chosen so each verdict can be worked out by hand.
 */
export function miniSpider(examples: { db_id: string; question: string; query: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-mini-spider-'));
  writeFileSync(join(dir, 'dev.json'), JSON.stringify(examples));
  writeFileSync(join(dir, 'dev_gold.sql'), `${examples.map((e) => `${e.query}\t${e.db_id}`).join('\n')}\n`);
  for (const db of ['concert_singer', 'wta_1']) {
    mkdirSync(join(dir, 'database', db), { recursive: true });
    cpSync(join(SPIDER, 'database', db), join(dir, 'database', db), { recursive: true });
  }
  return dir;
}

/** A run context for calling an evaluator directly (no runner): CPU, a fixed seed, no progress. */
export function testRunContext(): RunContext {
  return {
    device: 'cpu',
    seed: 7,
    signal: new AbortController().signal,
    progress: () => {},
    log: () => {},
    provenance: { runnerVersion: 't', hostname: 'h', datasetHash: 'a'.repeat(64), artifactHash: 'b'.repeat(64) },
  };
}
