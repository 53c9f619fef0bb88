import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createApiToken } from '@trueboard/core';
import { packDirectory } from '@trueboard/core/pack-directory';
import { submissions } from '@trueboard/db';
import { detectArchive, unpackArchive } from '@trueboard/kit';
import { serveTestPlatform, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { list } from 'tar';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers';

/*
 * `trueboard submit --file <directory>` packs the directory into a tar deterministically: the same
 * content is the same sha256 whatever the files' times, modes and creation order, so a re-upload of
 * an adapter is recognised as the same artifact. The runner kit unpacks it back to the same tree.
 */

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'tb-pack-'));
});
afterEach(() => rm(work, { recursive: true, force: true }));

const LONG_DIR = `${'very-long-directory-name-'.repeat(5)}/weights.bin`;
const LONG_NAME = `${'w'.repeat(150)}.bin`;
const FILES: Record<string, string> = {
  'adapter_config.json': '{"r": 8, "target_modules": ["q_proj", "v_proj"]}',
  'adapter_model.safetensors': 'tensor bytes '.repeat(100),
  'onnx/model.onnx': 'graph',
  'onnx/model.onnx_data': 'external weights',
  'tokenizér.json': '{"not": "ascii"}',
  [LONG_DIR]: 'a directory name past the 100 bytes of a plain tar name field',
  [LONG_NAME]: 'a file name past them',
};

/** Writes FILES under `dir` in the given order of names. */
async function writeTree(dir: string, order: string[] = Object.keys(FILES)): Promise<void> {
  for (const name of order) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), FILES[name] ?? '');
  }
}

/** Every path under root ("/" after directories), sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.map((e) => `${relative(root, join(e.parentPath, e.name))}${e.isDirectory() ? '/' : ''}`).sort();
}

let n = 0;
async function pack(dir: string) {
  n++;
  return packDirectory(dir, join(work, `packed-${n}.tar`));
}

describe('packDirectory', () => {
  it('gives the same bytes for the same content, whatever the times, modes and creation order', async () => {
    const a = join(work, 'a');
    await writeTree(a);
    const first = await pack(a);
    expect(first).toMatchObject({ files: 7 });

    await utimes(join(a, 'onnx', 'model.onnx'), new Date('2001-02-03'), new Date('2001-02-03'));
    await utimes(join(a, 'onnx'), new Date('2011-02-03'), new Date('2011-02-03'));
    await chmod(join(a, 'adapter_config.json'), 0o600);
    await chmod(join(a, 'onnx', 'model.onnx_data'), 0o755);
    expect((await pack(a)).sha256).toBe(first.sha256);

    const b = join(work, 'b');
    await writeTree(b, Object.keys(FILES).reverse());
    expect((await pack(b)).sha256).toBe(first.sha256);

    await writeFile(join(b, 'onnx', 'model.onnx'), 'graph!');
    expect((await pack(b)).sha256).not.toBe(first.sha256);
  });

  it('packs a tar the runner kit unpacks to the same tree, long names included', async () => {
    const src = join(work, 'src');
    await writeTree(src);
    await mkdir(join(src, 'empty'));
    const tar = join(work, 'adapter.tar');
    await packDirectory(src, tar);
    expect(await detectArchive(tar)).toBe('tar');
    const out = join(work, 'out');
    const result = await unpackArchive(tar, out);
    expect(result.format).toBe('tar');
    expect(await tree(out)).toEqual(await tree(src));
    for (const [name, content] of Object.entries(FILES)) expect(await readFile(join(out, name), 'utf8')).toBe(content);
    // the seven files and three directories: onnx/, empty/ and the long one
    expect(result.entries).toBe(10);
  });

  it('lists the entries in the byte order of their paths', async () => {
    const src = join(work, 'src');
    for (const name of ['a/x', 'a-b', 'B', 'a/y/z']) {
      await mkdir(join(src, name, '..'), { recursive: true });
      await writeFile(join(src, name), name);
    }
    const file = join(work, 'order.tar');
    await packDirectory(src, file);
    const names: string[] = [];
    await list({ file, onReadEntry: (e) => names.push(e.path) });
    // "-" (0x2d) sorts before "/" (0x2f): a walk, directory by directory, would give a/ a/x … a-b
    expect(names).toEqual(['B', 'a/', 'a-b', 'a/x', 'a/y/', 'a/y/z']);
  });

  it('packs a link to a file as the file, and refuses a link to a directory or to nothing', async () => {
    const src = join(work, 'src');
    await writeTree(src);
    const outside = join(work, 'blob');
    await writeFile(outside, 'linked weights');
    await symlink(outside, join(src, 'linked.bin'));
    const copied = join(work, 'copied');
    await writeTree(copied);
    await writeFile(join(copied, 'linked.bin'), 'linked weights');
    expect((await pack(src)).sha256).toBe((await pack(copied)).sha256);

    await symlink(join(work, 'copied'), join(src, 'dir-link'));
    await expect(pack(src)).rejects.toThrow(
      new Error(`${join(src, 'dir-link')}: a symbolic link to a directory; copy the directory in instead`),
    );
    await rm(join(src, 'dir-link'));
    await symlink(join(work, 'nothing'), join(src, 'dangling'));
    await expect(pack(src)).rejects.toThrow(new Error(`${join(src, 'dangling')}: a symbolic link to nothing`));
  });

  it.skipIf(process.platform !== 'linux')('refuses a file whose size is not what it was when listed', async () => {
    const src = join(work, 'src');
    await writeTree(src);
    // procfs files say 0 bytes and then read as more: as a file growing while it is packed
    await symlink('/proc/self/status', join(src, 'growing'));
    await expect(pack(src)).rejects.toThrow(
      new Error(`${join(src, 'growing')}: the file changed while it was being packed; try again`),
    );
  });

  it('refuses a directory without files', async () => {
    const empty = join(work, 'empty');
    await mkdir(join(empty, 'sub'), { recursive: true });
    await expect(pack(empty)).rejects.toThrow(new Error(`${empty}: the directory holds no files`));
  });
});

describe('trueboard submit --file <directory>', () => {
  let p: TestPlatform;
  let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
  let cast: Awaited<ReturnType<typeof toyScenario>>;
  beforeAll(async () => {
    p = await testPlatform();
    cast = await toyScenario(p);
    srv = await serveTestPlatform(p);
  });
  afterAll(async () => {
    await srv.close();
    await p.close();
  });

  it('uploads the packed directory: the artifact is the tar packDirectory makes', async () => {
    // small enough for the toy benchmark's 4 KiB limit
    const adapter = join(work, 'my-adapter');
    await mkdir(adapter);
    await writeFile(join(adapter, 'adapter_config.json'), '{"r": 8}');
    await writeFile(join(adapter, 'adapter_model.safetensors'), 'tensor bytes');
    const token = (await createApiToken(p, cast.acme.owner.actor, { name: 'pack test' })).secret;
    const r = await runCli([
      'submit',
      '--benchmark',
      'toy-qa',
      '--file',
      adapter,
      '--method',
      cast.method.id,
      '--server',
      srv.baseUrl,
      '--token',
      token,
    ]);
    expect(r.code, r.output).toBe(0);
    const expected = await pack(adapter);
    expect(r.output).toContain(
      `packed ${adapter}: 2 file(s), ${expected.size} bytes as a tar (sha256 ${expected.sha256})`,
    );
    const id = r.output.split('\n').find((l) => /^[0-9a-f-]{36}$/.test(l)) ?? '';
    const [row] = await p.db.select().from(submissions).where(eq(submissions.id, id));
    expect(row?.artifactSha256).toBe(expected.sha256);
  });

  it('says what is wrong with a path it cannot upload, before sending anything', async () => {
    const args = ['--benchmark', 'toy-qa', '--method', cast.method.id, '--server', srv.baseUrl, '--token', 'tbu_x'];
    const missing = join(work, 'nowhere');
    const r = await runCli(['submit', '--file', missing, ...args]);
    expect([r.code, r.output]).toEqual([1, `trueboard: ${missing}: no such file or directory\n`]);
    const adapter = join(work, 'adapter');
    await mkdir(adapter);
    await symlink(work, join(adapter, 'loop'));
    const linked = await runCli(['submit', '--file', adapter, ...args]);
    expect([linked.code, linked.output]).toEqual([
      1,
      `trueboard: ${join(adapter, 'loop')}: a symbolic link to a directory; copy the directory in instead\n`,
    ]);
  });
});
