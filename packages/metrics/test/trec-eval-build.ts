import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the reference trec_eval 9.0.8 from `packages/metrics/reference/trec_eval-9.0.8` (or `$TREC_EVAL_SRC`)
 * into a fresh temp dir, as its REFERENCE.md says. `precise` builds a copy whose printf format is `%.17g`
 * instead of `%6.4f`: only the printing changes, so per-query values can be compared to 1e-9 instead of
 * 4 decimals. Shared by the compatibility test and `npm run bench -- rerank`.
 */
export const TREC_EVAL_SRC =
  process.env.TREC_EVAL_SRC ?? fileURLToPath(new URL('../reference/trec_eval-9.0.8', import.meta.url));

/** Why the reference cannot be built here, or null when it can. */
export function trecEvalUnavailable(): string | null {
  if (!existsSync(join(TREC_EVAL_SRC, 'trec_eval.c'))) return `trec_eval source not found at ${TREC_EVAL_SRC}`;
  for (const tool of ['gcc', 'make']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `no '${tool}' on PATH to build trec_eval`;
  }
  return null;
}

export function buildTrecEval(precise: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), precise ? 'trec-eval-precise-' : 'trec-eval-'));
  cpSync(TREC_EVAL_SRC, dir, { recursive: true });
  if (precise) {
    for (const file of ['meas_print_single.c', 'meas_print_final.c']) {
      const path = join(dir, file);
      const source = readFileSync(path, 'utf8');
      if (!source.includes('%6.4f')) throw new Error(`${path}: expected a %6.4f format to patch`);
      writeFileSync(path, source.replaceAll('%6.4f', '%.17g'));
    }
  }
  execFileSync('make', ['-s', '-j2', '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return join(dir, 'trec_eval');
}

/** Parses `trec_eval -q` output into measure → qid → value (`all` is the mean). */
export function parseTrecEvalOutput(stdout: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of stdout.split('\n')) {
    const [name, qid, value] = line.trim().split(/\s+/);
    if (!name || !qid || value === undefined) continue;
    let m = out.get(name);
    if (!m) {
      m = new Map();
      out.set(name, m);
    }
    m.set(qid, Number(value));
  }
  return out;
}
