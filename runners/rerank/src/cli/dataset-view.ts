import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The dataset directory as the evaluator reads it, plus one candidates file that lives elsewhere (or
 * is computed): a temporary directory whose entries are symbolic links to the dataset's, so nothing
 * is copied, and the evaluator's `candidates` setting (a path inside the dataset) can name the extra
 * file. A manifest that lists its `files` lists the extra one too, so the report's dataset hash
 * covers the candidates it was scored with.
 */
export interface DatasetView {
  dir: string;
  /** the candidates file's name inside `dir` */
  name: string;
  close(): Promise<void>;
}

export async function datasetView(
  root: string,
  candidates: { link: string } | { text: string },
  baseName = 'candidates.cli.trec',
): Promise<DatasetView> {
  const entries = await readdir(root);
  let name = baseName;
  for (let n = 2; entries.includes(name); n++) name = `${n}.${baseName}`;
  const dir = await mkdtemp(join(tmpdir(), 'trueboard-rerank-dataset-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    for (const entry of entries) {
      if (entry === 'manifest.json') continue;
      await symlink(join(resolve(root), entry), join(dir, entry));
    }
    if (existsSync(join(root, 'manifest.json'))) {
      const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      if (Array.isArray(manifest.files)) manifest.files = [...manifest.files, name];
      await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    }
    if ('link' in candidates) await symlink(resolve(candidates.link), join(dir, name));
    else await writeFile(join(dir, name), candidates.text);
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, name, close };
}
