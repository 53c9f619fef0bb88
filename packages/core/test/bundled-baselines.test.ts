import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifacts, benchmarks, submissions } from '@trueboard/db';
import { makeUser, type TestPlatform, TOY_QA_DIR, testPlatform } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { Parser } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { importBenchmarkDir, seedBaselines } from '../src/index';
import { packDirectory } from '../src/pack-directory';

const SCIFACT = fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const opened: TestPlatform[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
});

async function platformWithAdmin() {
  const p = await testPlatform();
  opened.push(p);
  return { p, admin: await makeUser(p, { admin: true }) };
}

/** toy-qa (its artifact limit lifted) with a file baseline and a directory baseline. */
function toyWithBaselines(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-baselines-'));
  cpSync(TOY_QA_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, limits: {} }));
  const model = join(dir, 'baselines', 'model');
  mkdirSync(join(model, 'sub'), { recursive: true });
  writeFileSync(join(model, 'model.onnx'), Buffer.from([0, 1, 2, 3, 255]));
  writeFileSync(join(model, 'tokenizer.json'), '{"model":{}}\n');
  writeFileSync(join(model, 'sub', 'notes.txt'), 'nested\n');
  writeFileSync(join(dir, 'baselines', 'answers.json'), JSON.stringify({ predictions: { q1: 'Paris' } }));
  writeFileSync(
    join(dir, 'baselines', 'baselines.json'),
    JSON.stringify([
      { file: 'answers.json', method: 'File baseline' },
      { file: 'model', method: 'Directory baseline (test model)' },
    ]),
  );
  return dir;
}

/** The stored artifact of a submission: its sha256 and bytes. */
async function artifactOf(p: TestPlatform, submissionId: string) {
  const [s] = await p.db.select().from(submissions).where(eq(submissions.id, submissionId));
  const [a] = await p.db
    .select()
    .from(artifacts)
    .where(eq(artifacts.sha256, s?.artifactSha256 ?? ''));
  const chunks: Buffer[] = [];
  for await (const c of p.storage.open(a?.storageKey ?? '')) chunks.push(c as Buffer);
  return { sha256: s?.artifactSha256, bytes: Buffer.concat(chunks) };
}

/** path → bytes of the files in a tar. */
async function untar(bytes: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const parser = new Parser({
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        if (entry.type === 'File') files.set(entry.path, sha256(Buffer.concat(chunks)));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    parser.end(bytes);
  });
  return files;
}

describe('seedBaselines', () => {
  it('submits a directory entry as the deterministic tar packDirectory makes, and a file entry as its bytes', async () => {
    const { p, admin } = await platformWithAdmin();
    const dir = toyWithBaselines();
    await importBenchmarkDir(p, admin.actor, dir);
    const seeded = await seedBaselines(p, admin.actor, 'toy-qa', dir);
    expect(seeded.map((s) => s.method)).toEqual(['File baseline', 'Directory baseline (test model)']);

    const file = await artifactOf(p, seeded[0]?.submissionId ?? '');
    expect(file.sha256).toBe(sha256(readFileSync(join(dir, 'baselines', 'answers.json'))));

    const model = join(dir, 'baselines', 'model');
    const packed = await packDirectory(model, join(mkdtempSync(join(tmpdir(), 'tb-pack-')), 'model.tar'));
    const tar = await artifactOf(p, seeded[1]?.submissionId ?? '');
    expect(tar.sha256).toBe(packed.sha256);
    expect(sha256(tar.bytes)).toBe(packed.sha256);
    // the tar holds the directory's files, byte for byte, at their relative paths
    expect(await untar(tar.bytes)).toEqual(
      new Map([
        ['model.onnx', sha256(Buffer.from([0, 1, 2, 3, 255]))],
        ['sub/notes.txt', sha256('nested\n')],
        ['tokenizer.json', sha256('{"model":{}}\n')],
      ]),
    );

    // seeding again submits nothing new
    expect(await seedBaselines(p, admin.actor, 'toy-qa', dir)).toEqual([]);
    expect(await p.db.select().from(submissions)).toHaveLength(2);
  }, 120_000);

  it('gives the same directory the same artifact on another platform, whatever its files’ times', async () => {
    const first = toyWithBaselines();
    const second = toyWithBaselines();
    const model = join(second, 'baselines', 'model');
    for (const name of ['model.onnx', 'tokenizer.json']) utimesSync(join(model, name), 1_000_000, 1_000_000);
    const shas: (string | undefined)[] = [];
    for (const dir of [first, second]) {
      const { p, admin } = await platformWithAdmin();
      await importBenchmarkDir(p, admin.actor, dir);
      const [, directory] = await seedBaselines(p, admin.actor, 'toy-qa', dir);
      shas.push((await artifactOf(p, directory?.submissionId ?? '')).sha256);
    }
    expect(shas[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(shas[1]).toBe(shas[0]);
  }, 120_000);

  it('names the list and the entry when a baseline file is missing', async () => {
    const { p, admin } = await platformWithAdmin();
    const dir = toyWithBaselines();
    writeFileSync(join(dir, 'baselines', 'baselines.json'), JSON.stringify([{ file: 'gone.json', method: 'Gone' }]));
    await importBenchmarkDir(p, admin.actor, dir);
    await expect(seedBaselines(p, admin.actor, 'toy-qa', dir)).rejects.toThrow(
      `bad input: ${join(dir, 'baselines', 'baselines.json')}: "gone.json" does not exist`,
    );
    writeFileSync(join(dir, 'baselines', 'baselines.json'), JSON.stringify([{ file: '../gold.json', method: 'Up' }]));
    await expect(seedBaselines(p, admin.actor, 'toy-qa', dir)).rejects.toThrow('must be a relative path without ".."');
  }, 120_000);
});

describe('the bundled SciFact benchmark', () => {
  it('registers with its candidates asset and submits BM25, BM25 + RM3 and the test cross-encoder directory', async () => {
    const { p, admin } = await platformWithAdmin();
    const r = await importBenchmarkDir(p, admin.actor, SCIFACT, undefined, { bundled: true });
    expect(r).toMatchObject({ benchmark: 'scifact', created: true, files: 4 });
    const [bench] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, 'scifact'));
    const candidates = readFileSync(join(SCIFACT, 'candidates.bm25.trec'));
    expect(bench?.manifest.assets).toEqual({
      candidates: { sha256: sha256(candidates), bytes: candidates.length, kind: 'file', path: 'candidates.bm25.trec' },
    });
    const seeded = await seedBaselines(p, admin.actor, 'scifact', SCIFACT);
    expect(seeded.map((s) => s.method)).toEqual([
      'BM25 (flat, k1 0.9, b 0.4)',
      'BM25 + RM3 (re-ranked candidates)',
      'Test cross-encoder (test model)',
    ]);
    const bm25 = await artifactOf(p, seeded[0]?.submissionId ?? '');
    expect(bm25.sha256).toBe(sha256(readFileSync(join(SCIFACT, 'candidates.bm25.trec'))));
    // the model directory arrives as a tar of exactly its four files
    const model = await artifactOf(p, seeded[2]?.submissionId ?? '');
    const dir = join(SCIFACT, 'baselines', 'test-cross-encoder');
    expect(await untar(model.bytes)).toEqual(
      new Map(readdirSync(dir).map((name) => [name, sha256(readFileSync(join(dir, name)))])),
    );
    expect([...(await untar(model.bytes)).keys()].sort()).toEqual([
      'config.json',
      'model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    // a second start: the import is a no-op and nothing is submitted again
    expect(await importBenchmarkDir(p, admin.actor, SCIFACT, undefined, { bundled: true })).toMatchObject({
      created: false,
    });
    expect(await seedBaselines(p, admin.actor, 'scifact', SCIFACT)).toEqual([]);
  }, 180_000);
});
