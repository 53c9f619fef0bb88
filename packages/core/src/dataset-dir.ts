/**
 * A benchmark directory on disk: its manifest, the files it lists, and their content hash. Nothing
 * here touches the database, so the offline evaluator (`trueboard eval`) reads datasets through
 * this module alone (`@trueboard/core/dataset-dir`) without loading the platform.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BenchmarkManifest, type DatasetFile } from '@trueboard/contracts';
import { badInput, describeIssues } from './errors';

/** Reads and validates `<dir>/manifest.json`; errors name the file and the field. */
export async function readManifest(dir: string): Promise<BenchmarkManifest> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw badInput(`bad input: ${file}: not found (a benchmark directory needs a manifest.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badInput(`bad input: ${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const r = BenchmarkManifest.safeParse(json);
  if (!r.success) throw badInput(describeIssues(file, r.error.issues), { issues: r.error.issues });
  return r.data;
}

/** Content hash of a dataset version: sha256 over its sorted `path\tsha256\n` lines. */
export function datasetContentHash(files: readonly DatasetFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\t${f.sha256}\n`);
  }
  return h.digest('hex');
}

/** Expands the manifest's file list (directories are walked, hidden files skipped) into relative paths. */
export async function expandFiles(root: string, entries: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  async function walk(abs: string): Promise<void> {
    const s = await stat(abs).catch(() => null);
    if (!s)
      throw badInput(`bad input: ${relative(root, abs) || abs}: listed in manifest.json "files" but does not exist`);
    if (s.isDirectory()) {
      for (const e of (await readdir(abs)).sort()) if (!e.startsWith('.')) await walk(join(abs, e));
    } else if (s.isFile()) {
      out.add(relative(root, abs).split(sep).join('/'));
    }
  }
  for (const e of entries) await walk(join(root, e));
  return [...out].sort();
}
