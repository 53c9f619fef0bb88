import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../kit/test/archives';
import { modelDirs } from './cross-encoder-fixture';
import { FIXTURE } from './evaluator-helpers';
import { scoreModel } from './model-helpers';

/*
 * `trueboard eval rerank` through the generic path: --predictions takes a run file or a model
 * directory (or its archive), told apart as a runner tells them apart, with the benchmark's
 * candidates given as an evaluator option.
 */

let dir: string;
let model: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rerank-cli-model-'));
  model = await (await modelDirs())();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function evalRerank(predictions: string, name: string, options = ['candidates=run.trec']) {
  const out = join(dir, `${name}.json`);
  const args = ['eval', 'rerank', '--dataset', FIXTURE, '--predictions', predictions, '--out', out, '--seed', '7'];
  const r = await runCli([...args, ...options.flatMap((o) => ['--option', o]), '--cache-dir', join(dir, 'cache')]);
  return { ...r, report: () => JSON.parse(readFileSync(out, 'utf8')) };
}

describe('trueboard eval rerank with a model', () => {
  it('runs a model directory and its .tar.gz alike, as the harness does in-process', async () => {
    const expected = await scoreModel(FIXTURE, model, { candidates: 'run.trec' });
    const archive = join(dir, 'model.tar.gz');
    // as `tar czf model.tar.gz my-model/` makes it: the files inside one folder
    const files = readdirSync(model).map((f) => ({ path: `my-model/${f}`, body: readFileSync(join(model, f)) }));
    writeFileSync(archive, tarGz([{ path: 'my-model/', type: 'Directory' }, ...files]));
    for (const [name, predictions] of [
      ['directory', model],
      ['archive', archive],
    ] as const) {
      const r = await evalRerank(predictions, name);
      expect(r.code, r.output).toBe(0);
      const report = r.report();
      expect(report.metrics, name).toEqual(expected.metrics);
      expect(report.examples, name).toEqual(expected.examples);
      expect(report.provenance.sessions[0].label).toBe(expected.provenance.sessions?.[0]?.label);
    }
    // a run file is still a run file, now with the first stage in its rows
    const run = await evalRerank(join(FIXTURE, 'run.trec'), 'run');
    expect(run.code, run.output).toBe(0);
    expect(run.report().examples[0].data.change).toBe('same');
  }, 120_000);

  it('says what a model needs when the benchmark has no candidates', async () => {
    const r = await evalRerank(model, 'no-candidates', []);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/bad predictions: .*model submissions need the benchmark's candidates option/);
  }, 60_000);
});
