import { importBenchmarkDir, type Platform } from '@trueboard/core';
import { LORA_PROBE_DIR } from './probe-family';
import type { toyScenario } from './scenario';

/**
 * Adds the LoRA probe benchmark (its asset uploaded by the import, from the manifest's `file`) to a
 * platform that has the toy cast, on a platform made with `probeFamilies`. Acme's method submits to
 * both benchmarks.
 */
export async function probeScenario(p: Platform, cast: Awaited<ReturnType<typeof toyScenario>>) {
  return importBenchmarkDir(p, cast.admin.actor, LORA_PROBE_DIR);
}
