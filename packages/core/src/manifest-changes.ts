import { isDeepStrictEqual } from 'node:util';
import { type BenchmarkAsset, type BenchmarkManifest, runnerAssets } from '@trueboard/contracts';

/*
 * What a re-import's manifest changes in a registered benchmark beyond its dataset files. A dataset
 * version reaches evaluators with the benchmark's assets and evaluator settings (versionBundle in
 * reproduction.ts), so those are fixed once registered: a re-import with the same files but other
 * assets or settings would otherwise be taken as "already registered" and its change silently lost.
 * Assets are compared as runners see them (by hash, size and kind; where the importer kept a
 * `file` does not matter). Names, descriptions and limits are presentation and policy, not compared.
 */

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;
const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

function assetChange(name: string, was: BenchmarkAsset, now: BenchmarkAsset): string[] {
  const out: string[] = [];
  if (was.sha256 !== now.sha256) out.push(`sha256 ${short(was.sha256)} → ${short(now.sha256)}`);
  if (was.bytes !== now.bytes) out.push(`bytes ${was.bytes} → ${now.bytes}`);
  for (const key of Object.keys({ ...was, ...now }) as (keyof BenchmarkAsset)[]) {
    if (key === 'sha256' || key === 'bytes' || isDeepStrictEqual(was[key], now[key])) continue;
    out.push(`${key} ${show(was[key])} → ${show(now[key])}`);
  }
  return out.length ? [`assets.${name}: ${out.join(', ')}`] : [];
}

/** Each difference in the assets and evaluator settings, one line each naming the field; empty when none. */
export function manifestChanges(registered: BenchmarkManifest, manifest: BenchmarkManifest): string[] {
  const was = runnerAssets(registered.assets ?? {});
  const now = runnerAssets(manifest.assets ?? {});
  const changes: string[] = [];
  for (const [name, a] of Object.entries(was)) {
    const b = now[name];
    changes.push(...(b ? assetChange(name, a, b) : [`assets.${name}: removed (was sha256 ${short(a.sha256)})`]));
  }
  for (const [name, b] of Object.entries(now)) {
    if (!(name in was)) changes.push(`assets.${name}: added (sha256 ${short(b.sha256)})`);
  }
  const settings = { ...(registered.evaluator ?? {}), ...(manifest.evaluator ?? {}) };
  for (const key of Object.keys(settings)) {
    const before = registered.evaluator?.[key];
    const after = manifest.evaluator?.[key];
    if (!isDeepStrictEqual(before, after)) changes.push(`evaluator.${key}: ${show(before)} → ${show(after)}`);
  }
  return changes;
}
