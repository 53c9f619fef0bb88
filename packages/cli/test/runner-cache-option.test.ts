import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submit } from '@trueboard/core';
import { goodPredictions, serveTestPlatform, type TestPlatform, testPlatform, toyScenario } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseByteSize } from '../src/byte-size';
import { runCli, TOY_EVALUATOR } from './helpers';

/*
 * `trueboard runner --cache-max-bytes`: sizes as operators write them, a one-line error for junk,
 * and the bound reaching the runner's cache ahead of TRUEBOARD_CACHE_MAX_BYTES.
 */

const KiB = 1024;
const scratch = mkdtempSync(join(tmpdir(), 'tb-cache-option-'));
let p: TestPlatform;
let cast: Awaited<ReturnType<typeof toyScenario>>;
let srv: Awaited<ReturnType<typeof serveTestPlatform>>;

beforeAll(async () => {
  p = await testPlatform({ leaseSeconds: 60 });
  cast = await toyScenario(p);
  srv = await serveTestPlatform(p);
});
afterAll(async () => {
  await srv?.close();
  await p?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('parseByteSize', () => {
  it.each([
    ['1000000', 1_000_000],
    ['500M', 500 * KiB ** 2],
    ['20G', 20 * KiB ** 3],
    ['20g', 20 * KiB ** 3],
    ['1.5GiB', 1.5 * KiB ** 3],
    ['64KB', 64 * KiB],
    ['2 T', 2 * KiB ** 4],
    ['512b', 512],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text, '--cache-max-bytes')).toBe(bytes);
  });

  it.each(['', 'lots', '20GG', '-5', '0', '0.1', '1e9', '20P', 'G'])('refuses "%s"', (text) => {
    expect(() => parseByteSize(text, '--cache-max-bytes')).toThrow(
      `--cache-max-bytes: "${text}" is not a size; give bytes (e.g. 1000000) or a number with K, M, G or T (e.g. 500M, 20G)`,
    );
  });
});

describe('trueboard runner --cache-max-bytes', () => {
  it('fails at once on a size it cannot read', async () => {
    const r = await runCli(['runner', '--token', 'tbr_x', '--cache-max-bytes', 'plenty']);
    expect(r.code).toBe(1);
    expect(r.output.trim()).toBe(
      'trueboard: --cache-max-bytes: "plenty" is not a size; give bytes (e.g. 1000000) or a number with K, M, G or T (e.g. 500M, 20G)',
    );
  });

  it('bounds the cache, ahead of TRUEBOARD_CACHE_MAX_BYTES', async () => {
    await submit(p, cast.acme.owner.actor, { benchmark: 'toy-qa', method: cast.method.id }, goodPredictions());
    const cacheDir = join(scratch, 'cache');
    // an entry of an earlier job, used long ago and bigger than the whole bound
    const stale = join(cacheDir, 'blobs', 'ab', 'ab'.repeat(32));
    mkdirSync(join(cacheDir, 'blobs', 'ab'), { recursive: true });
    writeFileSync(stale, Buffer.alloc(8 * KiB));
    utimesSync(stale, new Date(0), new Date(0));
    const r = await runCli(
      [
        'runner',
        '--server',
        srv.baseUrl,
        '--evaluators',
        TOY_EVALUATOR,
        '--cache-dir',
        cacheDir,
        '--cache-max-bytes',
        '4K',
        '--once',
        '1',
      ],
      // unreadable: the runner would refuse to start if it looked at it
      { TRUEBOARD_RUNNER_TOKEN: cast.runnerToken.secret, TRUEBOARD_CACHE_MAX_BYTES: 'a lot' },
    );
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/: completed/);
    // placing the job's entries went past 4 KiB: the stale entry was evicted, the job's were pinned
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(cacheDir, 'bundles'))).toBe(true);
  });
});
