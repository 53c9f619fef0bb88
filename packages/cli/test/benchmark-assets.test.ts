import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken, createRunnerToken, registerBenchmark, submit } from '@trueboard/core';
import { artifacts, benchmarks } from '@trueboard/db';
import { ContentCache, PlatformClient } from '@trueboard/kit';
import {
  goodPredictions,
  serveTestPlatform,
  type TestPlatform,
  TOY_QA_DIR,
  testPlatform,
  toyScenario,
} from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers';

/*
 * `trueboard benchmark import` with manifest `assets`, against a real platform over HTTP: the CLI
 * checks each asset file against the manifest, streams it up (the platform checks its hash and size
 * again, and the per-asset limit), skips what the platform has, and a real runner (the kit's cache,
 * with a runner token holding the benchmark's job) then fetches the asset by hash.
 */
const LIMIT = 3 * 1024 * 1024;
let p: TestPlatform;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let token: string;

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const tmp = () => mkdtempSync(join(tmpdir(), 'tb-assets-'));

/** The toy benchmark under `id`, with `model` as its asset file and the given manifest assets. */
function benchmarkDir(id: string, model: Uint8Array, assets: Record<string, unknown>): string {
  const dir = tmp();
  cpSync(TOY_QA_DIR, dir, { recursive: true });
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'model.onnx'), model);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, id, assets }));
  return dir;
}
const importDir = (dir: string) => runCli(['benchmark', 'import', dir, '--server', srv.baseUrl, '--token', token]);
const registered = async (id: string) => (await p.db.select().from(benchmarks).where(eq(benchmarks.id, id))).length;
const stored = async (hash: string) => (await p.db.select().from(artifacts).where(eq(artifacts.sha256, hash))).length;
const storeFile = (hash: string) => join(p.config.artifactsDir, hash.slice(0, 2), hash);

beforeAll(async () => {
  p = await testPlatform({ maxAssetBytes: LIMIT });
  cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
  token = (await createApiToken(p, cast.admin.actor, { name: 'assets' })).secret;
});
afterAll(async () => {
  await srv?.close();
  await p?.close();
});

describe('benchmark import with assets', () => {
  // larger than one stream chunk many times over, so the upload really streams
  const model = randomBytes(2 * 1024 * 1024 + 17);
  const gold = readFileSync(join(TOY_QA_DIR, 'gold.json'));
  const assets = {
    'base-model': { sha256: sha(model), bytes: model.length, file: 'assets/model.onnx' },
    gold: { sha256: sha(gold), bytes: gold.length, path: 'gold.json' },
  };

  it('uploads each asset, and a runner holding a job of the benchmark fetches it by hash', async () => {
    const dir = benchmarkDir('toy-assets', model, assets);
    const first = await importDir(dir);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`asset base-model: uploaded (${sha(model).slice(0, 12)})`);
    expect(first.output).toContain('asset gold: dataset file');
    expect(first.output).toMatch(/toy-assets: registered version 1/);
    expect(await readFile(storeFile(sha(model)))).toEqual(model);
    // the same blob again (here: the same import) is not sent twice
    const again = await importDir(dir);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('asset base-model: present');

    // a real runner: claims the benchmark's job with its own token, and the kit's cache fetches the asset
    await submit(p, cast.acme.owner.actor, { benchmark: 'toy-assets', method: cast.method.id }, goodPredictions());
    const runnerToken = (await createRunnerToken(p, cast.admin.actor, { name: 'asset runner' })).secret;
    const client = new PlatformClient(srv.baseUrl, runnerToken, { retries: 0 });
    const { runnerId } = await client.register({ hostname: 'h', device: 'cpu', families: ['text2sql'], version: 't' });
    let job = await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 });
    // toy-qa's own job may come first: hand it back and take the next
    while (job && job.dataset.benchmark !== 'toy-assets') {
      await client.release(job.runId);
      job = await client.claim({ runnerId, families: ['text2sql'], waitSeconds: 0 });
    }
    if (!job) throw new Error('no job of toy-assets');
    // runners see assets by hash alone, not where the importer kept them
    expect(job.dataset.assets?.['base-model']).toEqual({ sha256: sha(model), bytes: model.length, kind: 'file' });
    const bundle = await new ContentCache(client, tmp()).materializeBundle(job.dataset);
    const local = bundle.assets?.['base-model'];
    if (!local) throw new Error(`no base-model in ${JSON.stringify(bundle.assets)}`);
    expect(await readFile(local.path)).toEqual(model);
  });

  it("refuses an asset file whose hash is not the manifest's, naming the asset and both hashes", async () => {
    const other = randomBytes(1000);
    const dir = benchmarkDir('toy-bad-asset', other, {
      'base-model': { sha256: sha(model), bytes: other.length, file: 'assets/model.onnx' },
    });
    const r = await importDir(dir);
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      `asset "base-model": ${join(dir, 'assets', 'model.onnx')} has sha256 ${sha(other)}, the manifest says ${sha(model)}`,
    );
    expect(await registered('toy-bad-asset')).toBe(0);
  });

  it('checks the hash on the platform too, and keeps nothing of a wrong upload', async () => {
    const body = randomBytes(5000);
    const claimed = sha('something else');
    const res = await fetch(`${srv.baseUrl}/api/assets/${claimed}?name=tokenizer&bytes=${body.length}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe(
      `bad input: asset "tokenizer": the bytes received have sha256 ${sha(body)}, not the expected ${claimed}; nothing was stored`,
    );
    expect(await stored(sha(body))).toBe(0);
    expect(existsSync(storeFile(sha(body)))).toBe(false);
  });

  it('holds every asset to the configured limit, whatever size the manifest declares', async () => {
    const big = randomBytes(LIMIT + 1);
    const declared = await importDir(
      benchmarkDir('toy-big-asset', big, {
        'base-model': { sha256: sha(big), bytes: big.length, file: 'assets/model.onnx' },
      }),
    );
    expect(declared.code).toBe(1);
    expect(declared.output).toContain(
      'asset "base-model" has 3.0 MiB, more than the platform\'s limit of 3.0 MiB per asset (TRUEBOARD_MAX_ASSET_BYTES on the server)',
    );
    // a client that declares less than it sends is stopped by the streamed count
    const res = await fetch(`${srv.baseUrl}/api/assets/${sha(big)}?name=base-model&bytes=10`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'asset "base-model" is larger than the limit of 3.0 MiB',
    );
    expect(await stored(sha(big))).toBe(0);
    // and one that declares more than the limit is refused before its body is read
    const over = await fetch(`${srv.baseUrl}/api/assets/${sha(big)}?name=base-model&bytes=${big.length}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: 'x',
    });
    expect(over.status).toBe(413);
  });

  it('registers no benchmark whose asset is not on the platform, and uploads only for registrars', async () => {
    const missing = sha('never uploaded');
    const r = await importDir(benchmarkDir('toy-missing-asset', model, { tokenizer: { sha256: missing, bytes: 3 } }));
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      `asset "tokenizer": blob ${missing} is not on the platform, and the manifest gives no "file" to upload it from`,
    );
    expect(await registered('toy-missing-asset')).toBe(0);
    // the platform checks the same when a benchmark is registered without the CLI
    const manifest = JSON.parse(readFileSync(join(TOY_QA_DIR, 'manifest.json'), 'utf8'));
    const files = [{ path: 'gold.json', sha256: sha(gold), size: gold.length }];
    const register = (assets: Record<string, unknown>) =>
      registerBenchmark(p, cast.admin.actor, { ...manifest, id: 'toy-direct', assets }, files);
    await expect(register({ tokenizer: { sha256: missing, bytes: 3 } })).rejects.toThrow(
      `bad input: assets.tokenizer: blob ${missing} was not uploaded`,
    );
    await expect(register({ 'base-model': { sha256: sha(model), bytes: 5 } })).rejects.toThrow(
      `bad input: assets.base-model: the manifest says 5 bytes, blob ${sha(model)} has ${model.length}`,
    );
    await expect(register({ gold: { sha256: sha(model), bytes: gold.length, path: 'gold.json' } })).rejects.toThrow(
      `bad input: assets.gold: "gold.json" has sha256 ${sha(gold)}, the manifest says ${sha(model)}`,
    );
    expect(await registered('toy-direct')).toBe(0);
    const member = await fetch(`${srv.baseUrl}/api/assets/${sha(model)}?name=x&bytes=${model.length}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cast.ownerToken.secret}` },
      body: model,
    });
    expect(member.status).toBe(403);
    const anonymous = await fetch(`${srv.baseUrl}/api/assets/${sha(model)}`, { method: 'HEAD' });
    expect(anonymous.status).toBe(401);
  });

  it('refuses a re-import whose assets or evaluator settings differ, naming each change', async () => {
    const id = 'toy-asset-change';
    const dir = benchmarkDir(id, model, assets);
    expect((await importDir(dir)).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const rewrite = (patch: Record<string, unknown>) =>
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, ...patch }));
    const refused = async (...lines: string[]) => {
      const r = await importDir(dir);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(`benchmark "${id}" is registered with these files but other assets`);
      for (const line of lines) expect(r.output).toContain(line);
      expect(r.output).toContain(
        'restore the registered values in manifest.json, or register the changed benchmark under a new "id"',
      );
    };
    // a new model of the same size: same dataset files, other asset bytes
    const retrained = randomBytes(model.length);
    writeFileSync(join(dir, 'assets', 'model.onnx'), retrained);
    rewrite({ assets: { ...assets, 'base-model': { ...assets['base-model'], sha256: sha(retrained) } } });
    await refused(`assets.base-model: sha256 ${sha(model).slice(0, 12)}… → ${sha(retrained).slice(0, 12)}…`);
    writeFileSync(join(dir, 'assets', 'model.onnx'), model);
    const tokenizer = randomBytes(100);
    writeFileSync(join(dir, 'assets', 'tokenizer.json'), tokenizer);
    rewrite({
      assets: {
        ...assets,
        tokenizer: { sha256: sha(tokenizer), bytes: tokenizer.length, file: 'assets/tokenizer.json' },
      },
    });
    await refused(`assets.tokenizer: added (sha256 ${sha(tokenizer).slice(0, 12)}…)`);
    rewrite({ assets: { gold: assets.gold } });
    await refused(`assets.base-model: removed (was sha256 ${sha(model).slice(0, 12)}…)`);
    rewrite({ evaluator: { caseSensitive: true } });
    await refused('evaluator.caseSensitive: (unset) → true');
    // nothing of a refused re-import is applied
    const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, id));
    expect(b?.manifest.assets?.['base-model']?.sha256).toBe(sha(model));
    expect(Object.keys(b?.manifest.assets ?? {}).sort()).toEqual(['base-model', 'gold']);
    expect(b?.manifest.evaluator).toEqual({});
    // where the importer keeps an asset file is not part of the benchmark: moving it is no change
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'model.onnx'), model);
    rewrite({ assets: { ...assets, 'base-model': { ...assets['base-model'], file: 'elsewhere/model.onnx' } } });
    const same = await importDir(dir);
    expect(same.code, same.output).toBe(0);
    expect(same.output).toContain(`${id}: already registered with identical data`);
  });
});
