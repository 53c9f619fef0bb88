import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '@trueboard/core';
import { describe, expect, it } from 'vitest';

/*
 * The manifest is validated strictly (issue 10 §5): `"corrections": {"quorum": 2}` used to be
 * documented but silently dropped, since the schema had no such field and zod strips unknown
 * keys. Now every key is known or an error that names it, and the quorum is part of the schema.
 */

const base = {
  id: 'strict-qa',
  name: 'Strict QA',
  family: 'text2sql',
  metrics: [{ name: 'accuracy', label: 'Accuracy' }],
  primaryMetric: 'accuracy',
  files: ['gold.json'],
};

function manifestDir(m: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'tb-manifest-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return { dir, file: join(dir, 'manifest.json') };
}

describe('benchmark manifests', () => {
  it('keep the corrections quorum, defaulting to one approval', async () => {
    expect((await readManifest(manifestDir({ ...base, corrections: { quorum: 2 } }).dir)).corrections).toEqual({
      quorum: 2,
    });
    expect((await readManifest(manifestDir(base).dir)).corrections).toEqual({ quorum: 1 });
  });

  it('refuse unknown keys at any level, naming the key and where it is', async () => {
    const top = manifestDir({ ...base, quorum: 2 });
    await expect(readManifest(top.dir)).rejects.toThrow(`bad input: ${top.file}: (root): Unrecognized key: "quorum"`);
    const nested = manifestDir({ ...base, corrections: { quorom: 2 } });
    await expect(readManifest(nested.dir)).rejects.toThrow(
      `bad input: ${nested.file}: corrections: Unrecognized key: "quorom"`,
    );
    const limits = manifestDir({ ...base, limits: { dailyQuotas: 3 } });
    await expect(readManifest(limits.dir)).rejects.toThrow(
      `bad input: ${limits.file}: limits: Unrecognized key: "dailyQuotas"`,
    );
    const metric = manifestDir({ ...base, metrics: [{ name: 'accuracy', label: 'Accuracy', higher: true }] });
    await expect(readManifest(metric.dir)).rejects.toThrow(
      `bad input: ${metric.file}: metrics.0: Unrecognized key: "higher"`,
    );
    const zero = manifestDir({ ...base, corrections: { quorum: 0 } });
    await expect(readManifest(zero.dir)).rejects.toThrow(
      `bad input: ${zero.file}: corrections.quorum: a quorum is at least 1 approval`,
    );
  });
});
