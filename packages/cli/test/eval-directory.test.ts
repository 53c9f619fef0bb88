import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packDirectory } from '@trueboard/core/pack-directory';
import { LORA_PROBE_DIR, PROBE_WEIGHTS, probeAdapter, TOY_QA_DIR } from '@trueboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { tarGz, zip } from '../../../runners/kit/test/archives';
import { sha256File } from '../src/hash';
import { runCli } from './helpers';

/*
 * `trueboard eval` for a family whose artifact is a directory, and for a benchmark with assets: the
 * inputs go through the kit's cache as on a runner (unpacked within the evaluator's limits, assets
 * checked against the manifest's hash), and every wrong input is a one-line error naming it.
 */

const TEST_EVALUATORS = fileURLToPath(new URL('../../testkit/src/test-evaluators.ts', import.meta.url));
const OFFSETS = JSON.parse(readFileSync(join(LORA_PROBE_DIR, 'manifest.json'), 'utf8')).assets['offsets.json'] as {
  sha256: string;
  bytes: number;
};

const scratch = mkdtempSync(join(tmpdir(), 'tb-eval-dir-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string) => join(scratch, `${name}-${++n}`);

function adapterDir(correct: 0 | 1 | 2 | 3 | 4): string {
  const dir = fresh('adapter');
  for (const f of probeAdapter(correct)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.body);
  }
  return dir;
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = fresh(name);
  writeFileSync(path, bytes);
  return path;
}

/** `trueboard eval lora` on the probe benchmark (or a copy), with a cache of its own. */
async function evalLora(predictions: string, extra: string[] = [], dataset = LORA_PROBE_DIR) {
  const cache = fresh('cache');
  const out = fresh('report.json');
  const r = await runCli([
    'eval',
    'lora',
    '--dataset',
    dataset,
    '--predictions',
    predictions,
    '--out',
    out,
    '--cache-dir',
    cache,
    '--evaluators',
    TEST_EVALUATORS,
    ...extra,
  ]);
  const lastLine = r.output.trim().split('\n').at(-1) ?? '';
  const report = () => JSON.parse(readFileSync(out, 'utf8'));
  return { ...r, lastLine, report, cache };
}

describe('trueboard eval with a directory artifact', () => {
  it('scores a directory, its tar, tar.gz and zip alike; a directory has the hash of its packed upload', async () => {
    const dir = adapterDir(3);
    const files = probeAdapter(3);
    const tar = fresh('adapter.tar');
    const packed = await packDirectory(dir, tar);
    const inputs = {
      directory: dir,
      tar,
      'tar.gz': file('adapter.tar.gz', tarGz(files)),
      zip: file('adapter.zip', zip(files.map((f) => ({ name: f.path, body: f.body })))),
    };
    for (const [kind, path] of Object.entries(inputs)) {
      const r = await evalLora(path);
      expect(r.code, `${kind}: ${r.output}`).toBe(0);
      expect(r.output).toMatch(/accuracy\s+sum\s+75\.00/);
      const report = r.report();
      expect(report.examples.map((e: { data: { sum: number } }) => e.data.sum)).toEqual([10, 12, 7, 31]);
      const expected = kind === 'directory' ? packed.sha256 : await sha256File(path);
      expect(report.provenance.artifactHash).toBe(expected);
    }
  });

  it('says so when a file is given where a directory is expected, and a directory where a file is', async () => {
    const plain = file('weights.json', probeAdapter(3)[0]?.body ?? '');
    const r = await evalLora(plain);
    expect(r.code).toBe(1);
    expect(r.lastLine).toBe(
      `trueboard: bad predictions: ${plain} is a file, but lora-probe (lora) takes a directory: give the directory, or a .tar, .tar.gz or .zip of it`,
    );
    const dir = adapterDir(3);
    const toy = await runCli([
      'eval',
      'text2sql',
      '--dataset',
      TOY_QA_DIR,
      '--predictions',
      dir,
      '--evaluators',
      TEST_EVALUATORS,
    ]);
    expect(toy.code).toBe(1);
    expect(toy.output.trim().split('\n').at(-1)).toBe(
      `trueboard: bad predictions: ${dir} is a directory; toy-exact-match (text2sql) takes a single file`,
    );
  });

  it('refuses a hostile archive as the runner does, writing nothing outside the cache', async () => {
    const around = fresh('around');
    mkdirSync(around);
    const evil = zip([
      { name: PROBE_WEIGHTS, body: '{}' },
      { name: '../../../../evil.txt', body: 'pwned' },
    ]);
    const r = await evalLora(file('evil.zip', evil), ['--cache-dir', join(around, 'cache')]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toBe(
      'trueboard: bad predictions: the artifact has an entry "../../../../evil.txt" that points outside the directory (its path contains "..")',
    );
    // "../../../" from the cache's build directory is `around`, one more is the scratch directory
    expect(readdirSync(around)).toEqual(['cache']);
    expect(readdirSync(scratch).filter((p) => p.startsWith('evil.txt'))).toEqual([]);
    const cached = readdirSync(join(around, 'cache'), { recursive: true }).map(String);
    expect(cached.filter((p) => p.startsWith('trees') || p.includes('evil'))).toEqual([]);
  });

  it('names a directory without the file the evaluator reads', async () => {
    const empty = fresh('empty');
    mkdirSync(join(empty, 'adapter'), { recursive: true });
    writeFileSync(join(empty, 'adapter', 'README'), 'no weights here');
    const r = await evalLora(empty);
    expect(r.code).toBe(1);
    expect(r.lastLine).toMatch(
      /^trueboard: bad predictions: the adapter directory has no readable adapter\/weights\.json: /,
    );
  });
});

describe('trueboard eval with benchmark assets', () => {
  /** A copy of the probe benchmark whose asset file can be changed or removed. */
  function probeCopy(): string {
    const dir = fresh('lora-probe');
    cpSync(LORA_PROBE_DIR, dir, { recursive: true });
    return dir;
  }

  it('finds an asset at the manifest’s `file`, or where --asset says', async () => {
    const dataset = probeCopy();
    const moved = file('offsets.json', readFileSync(join(dataset, 'assets', 'offsets.json')));
    await rm(join(dataset, 'assets'), { recursive: true });
    const r = await evalLora(adapterDir(4), ['--asset', `offsets.json=${moved}`], dataset);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/accuracy\s+sum\s+100\.00/);
  });

  it('names a missing asset with its expected hash', async () => {
    const dataset = probeCopy();
    await rm(join(dataset, 'assets', 'offsets.json'));
    const r = await evalLora(adapterDir(4), [], dataset);
    expect(r.code).toBe(1);
    expect(r.lastLine).toBe(
      `trueboard: asset "offsets.json" of lora-probe (sha256 ${OFFSETS.sha256}, ${OFFSETS.bytes} B): ${join(dataset, 'assets', 'offsets.json')} does not exist`,
    );
  });

  it('refuses an asset whose bytes are not the declared ones, naming both hashes', async () => {
    const dataset = probeCopy();
    const path = join(dataset, 'assets', 'offsets.json');
    // same size, other bytes: only the hash can tell
    writeFileSync(path, readFileSync(path, 'utf8').replace('"e4": 20', '"e4": 21'));
    const actual = await sha256File(path);
    const r = await evalLora(adapterDir(4), [], dataset);
    expect(r.code).toBe(1);
    expect(r.lastLine).toBe(
      `trueboard: asset "offsets.json" of lora-probe@1: ${path} has sha256 ${actual}; expected ${OFFSETS.sha256}`,
    );
    // nothing unverified was kept in the cache
    const cached = readdirSync(r.cache, { recursive: true }).map(String);
    expect(cached.filter((p) => p.startsWith('blobs'))).toEqual([]);
  });

  it('refuses --asset for a name the benchmark does not declare', async () => {
    const r = await evalLora(adapterDir(4), ['--asset', `tokenizer=${LORA_PROBE_DIR}/examples.json`]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toBe(
      'trueboard: --asset tokenizer: the benchmark has no asset "tokenizer" (it declares "offsets.json")',
    );
  });
});
