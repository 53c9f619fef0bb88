import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from '@trueboard/contracts';

/** the repo's copy of the real Spider dev data (provenance in its README) */
export const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));

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
