import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@trueboard/testkit';
import { unzipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeTestModel } from '../../../runners/rerank/scripts/build-test-model';
import {
  cspWatched,
  launchChromium,
  type Platform,
  runnerProcess,
  shot,
  signUpWithTeam,
  startPlatform,
} from './browser-session';
import { benchmarkDir, CANDIDATES, LIMIT, RERANKED } from './rerank-benchmark';

/*
 * Re-ranking end to end in a real browser: `npm start` (no bundled benchmarks), a small BEIR
 * benchmark registered through the CLI with first-stage candidates, runs and a model directory
 * submitted through the form, scored by a real rerank runner. The benchmark, its candidates and the
 * re-ranked run, with every query's nDCG@10 worked by hand: rerank-benchmark.ts.
 */

let platform: Platform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const runner = () => runnerProcess(platform, ['rerank']);
let rerankRunner: ReturnType<typeof runner>;
const csp = cspWatched(() => browser);
const work = mkdtempSync(join(tmpdir(), 'tb-rerank-browser-'));

const states = (p: Page) => p.getByTestId('state').textContent();
const exampleIds = (p: Page) => p.getByTestId('example-row').locator('td:first-child').allTextContents();
const runFile = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });

/** Opens the submit form on the benchmark with a new method of the signed-in user's team. */
async function openForm(method: string) {
  await page.goto(`${platform.base}/submit?benchmark=beir-small`);
  // loaded and hydrated: the new-method form (the team has no method yet) or the team's methods
  const newMethod = page.getByText(/^New method in/);
  const select = page.getByLabel('Method');
  await newMethod.or(select.locator('option:not([value="__new"])').first()).first().waitFor({ state: 'attached' });
  if ((await newMethod.count()) === 0) await select.selectOption('__new');
  await page.getByLabel('Name', { exact: true }).fill(method);
  await page.getByRole('button', { name: 'Create method' }).click();
  await expect.poll(() => select.locator('option:checked').textContent()).toBe(method);
}

/** Submits from the open form and waits for the submission page; returns its id. */
async function submitForm(): Promise<string> {
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(/\/s\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop() ?? '';
}

beforeAll(async () => {
  platform = await startPlatform(['--runners', '0', '--no-import']);
  const imported = await runCli([
    'benchmark',
    'import',
    benchmarkDir(work),
    '--server',
    platform.base,
    '--token',
    platform.admin.apiToken,
  ]);
  expect(imported.output).toMatch(/beir-small: registered version 1/);
  rerankRunner = runner();
  rerankRunner.start();
  browser = await launchChromium();
  context = await csp.newContext();
  page = await context.newPage();
  await signUpWithTeam(page, platform.base, { email: 'karen@example.org', name: 'Karen', team: 'karen-lab' });
}, 900_000);

afterEach(() => {
  expect(csp.violations.splice(0)).toEqual([]);
});

afterAll(async () => {
  if (process.env.TB_DEBUG) console.log(platform?.output(), rerankRunner?.output());
  await context?.close();
  await browser?.close();
  await rerankRunner?.stop();
  await platform?.stop();
});

describe('re-ranking in the browser', () => {
  it('a run file through the form: the negative flips are counted and listed, a query opens on both top 10s', async () => {
    await openForm('Swap reranker');
    // a run file or a model directory; a file by default, checked before upload
    expect(await page.getByRole('radio', { name: 'a file' }).isChecked()).toBe(true);
    expect(await page.getByText('Artifact file (at most 5.0 MiB)').count()).toBe(1);
    const input = page.getByLabel(/^Artifact file/);
    await input.setInputFiles(runFile('bad.trec', 'q1 d3 1 3 mine\n'));
    await expect
      .poll(() => page.locator('#file-error').textContent())
      .toBe("bad.trec line 1: expected 6 columns 'qid Q0 docid rank score tag', found 5");
    expect(await page.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await input.setInputFiles(runFile('reranked.trec', RERANKED));
    await expect.poll(() => page.locator('#file-error').textContent()).toBe('');
    await submitForm();
    await expect.poll(() => states(page), { timeout: 120_000 }).toBe('finished');
    await page.getByTestId('example-row').first().waitFor();

    // the count of negative flips is on the page, from the API's facet counts over the whole result
    expect(await page.getByTestId('flip-summary').textContent()).toMatch(
      /^Against BM25: 2 queries worse \(negative flips\), 2 better, 1 the same\. Show the 2 negative flips$/,
    );
    expect(await exampleIds(page)).toEqual(['q1', 'q2', 'q3', 'q4', 'q6']);
    await shot(page, 'rerank-submission');
    await page.getByRole('button', { name: 'Show the 2 negative flips' }).click();
    await expect.poll(() => exampleIds(page)).toEqual(['q1', 'q6']);
    expect(await page.getByTestId('example-count').textContent()).toBe('2 examples');
    // the breakdown menu says the same, with each value's count
    const breakdown = page.getByLabel('Breakdown');
    expect(await breakdown.inputValue()).toBe('change:worse');
    expect(await breakdown.locator('optgroup').getAttribute('label')).toBe('vs BM25');
    expect(await breakdown.locator('optgroup option').allTextContents()).toEqual([
      'better than BM25 (2)',
      'same as BM25 (1)',
      'worse than BM25 (negative flip) (2)',
    ]);
    // each row: query, nDCG@10, and its change against BM25 (signed, 4 decimals)
    const cells = async (i: number) =>
      (await page.getByTestId('example-row').nth(i).locator('td').allTextContents()).map((t) => t.trim());
    expect(await cells(0)).toEqual(['q1', 'what is one', '0.64', '', '0.6433', '−0.3069', 'Details']);
    expect(await cells(1)).toEqual(['q6', 'relevant at rank eleven', '0.63', '', '0.6309', '−0.3691', 'Details']);

    // q1 opened: both top 10s, each document judged, and nDCG@10 before → after
    await page.getByTestId('example-row').first().getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('example-detail');
    await detail.waitFor();
    const list = (title: string) =>
      detail
        .getByRole('region', { name: title })
        .getByTestId('ranked-doc')
        .evaluateAll((rows) =>
          rows.map((r) =>
            [...r.querySelectorAll('td')]
              .slice(0, 3)
              .map((td) => (td.textContent ?? '').replace(/^[✓✗?] /, '').trim())
              .join(' '),
          ),
        );
    expect(await list('BM25 top 10')).toEqual([
      '1 d1 relevant (2)',
      '2 d3 not relevant (0)',
      '3 d2 relevant (1)',
      '4 d4 unjudged',
    ]);
    expect(await list('Re-ranked top 10')).toEqual([
      '1 d3 not relevant (0)',
      '2 d1 relevant (2)',
      '3 d4 unjudged',
      '4 d2 relevant (1)',
    ]);
    expect(await detail.getByTestId('ndcg-change').textContent()).toBe(
      'nDCG@10: 0.9502 (BM25) → 0.6433 (re-ranked), −0.3069 — worse than BM25 (negative flip)',
    );
    expect(await detail.textContent()).toContain('Query: what is one');
    await shot(page, 'rerank-query-detail');
  });

  it('the board shows nDCG@10, Recall@100, MAP and MRR@10 with intervals, and the paired test on per-query values', async () => {
    // the candidates' own order as a second entry: nDCG@10 (0.95023 + 0.63093 + 0.69343 + 0 + 1) / 5 = 0.65492,
    // just above the re-ranking's (0.64332 + 1 + 1 + 0 + 0.63093) / 5 = 0.65485
    await openForm('BM25 order');
    await page.getByLabel(/^Artifact file/).setInputFiles(runFile('bm25.trec', CANDIDATES));
    await expect.poll(() => page.locator('#file-error').textContent()).toBe('');
    await submitForm();
    await expect.poll(() => states(page), { timeout: 120_000 }).toBe('finished');
    await page.getByTestId('flip-summary').waitFor();
    expect(await page.getByTestId('flip-summary').textContent()).toMatch(
      /^Against BM25: 0 queries worse .*, 0 better, 5 the same\.\s*$/,
    );

    await page.goto(`${platform.base}/b/beir-small`);
    const headers = await page.locator('table.board thead th').allTextContents();
    expect(headers.slice(3, 7)).toEqual([
      'nDCG@10 (trec_eval -c) ↓', // the board's sort: the primary metric, best first
      'Recall@100 (trec_eval -c -l 1)',
      'MAP (trec_eval -c -l 1)',
      'MRR@10 (trec_eval -c -l 1)',
    ]);
    const rows = page.getByTestId('board-row');
    expect(await rows.locator('td:nth-child(2) a').allTextContents()).toEqual(['BM25 order', 'Swap reranker']);
    for (let i = 0; i < 2; i++) {
      const metrics = await rows.nth(i).locator('td').allTextContents();
      for (const m of metrics.slice(3, 7)) expect(m).toMatch(/^\d\.\d{3} ± \d\.\d{3}$/);
    }
    expect((await rows.nth(0).locator('td').nth(3).textContent())?.startsWith('0.655 ± ')).toBe(true);
    // per-query nDCG@10 is graded: the sign-flip permutation test decides, and 5 queries cannot separate them
    expect(await page.getByTestId('tie-test').locator('.sr-only').allTextContents()).toEqual([
      expect.stringMatching(
        /^tied with the entry above: paired sign-flip permutation test on 5 examples, p = [01]\.\d+ ≥ 0\.05$/,
      ),
    ]);
    expect(await page.locator('.badge.tie').count()).toBe(2);
    await shot(page, 'rerank-board');
  });

  it('a model directory chosen in the form is checked, packed into one .zip with its relative paths, and uploaded', async () => {
    const model = join(work, 'my-cross-encoder');
    await writeTestModel(model);
    const noTokenizer = join(work, 'no-tokenizer');
    mkdirSync(noTokenizer);
    cpSync(join(model, 'model.onnx'), join(noTokenizer, 'model.onnx'));
    const tooBig = join(work, 'too-big');
    mkdirSync(tooBig);
    writeFileSync(join(tooBig, 'model.onnx'), Buffer.alloc(LIMIT));
    cpSync(join(model, 'tokenizer.json'), join(tooBig, 'tokenizer.json'));

    await openForm('Test cross-encoder');
    await page.getByRole('radio', { name: 'a directory' }).check();
    const input = page.getByLabel(/^Artifact directory/);
    expect(await input.getAttribute('webkitdirectory')).toBe('');
    await input.setInputFiles(noTokenizer);
    await expect
      .poll(() => page.locator('#file-error').textContent())
      .toBe(
        'model directory: tokenizer.json is missing at its top level; a cross-encoder exported with `optimum-cli export onnx` has both',
      );
    await input.setInputFiles(tooBig);
    await expect
      .poll(() => page.locator('#file-error').textContent())
      .toMatch(/^the directory too-big, packed, is 5\.\d MiB; this benchmark accepts at most 5\.0 MiB$/);
    expect(await page.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await input.setInputFiles(model);
    await expect.poll(() => page.locator('#file-error').textContent()).toBe('');
    const names = readdirSync(model).sort();
    expect(names).toEqual(['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await page.getByTestId('directory-summary').textContent()).toMatch(
      new RegExp(`^4 files in my-cross-encoder, \\d\\.\\d MiB packed: ${names.join(', ').replaceAll('.', '\\.')}$`),
    );
    await shot(page, 'rerank-submit-directory');
    const id = await submitForm();

    // the stored artifact is a zip of the directory's files at their paths inside it, byte for byte
    const res = await fetch(`${platform.base}/api/submissions/${id}/artifact`);
    expect(res.status).toBe(200);
    const unpacked = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(unpacked).sort()).toEqual(names);
    for (const n of names) expect(Buffer.from(unpacked[n] ?? []).equals(readFileSync(join(model, n))), n).toBe(true);

    // the runner unpacks it and runs the model on the candidates: it re-orders each query's candidates only
    await expect.poll(() => states(page), { timeout: 180_000 }).toBe('finished');
    await page.getByTestId('example-row').first().waitFor();
    expect(await exampleIds(page)).toEqual(['q1', 'q2', 'q3', 'q4', 'q6']);
    await page.getByTestId('example-row').first().getByRole('button', { name: 'Details' }).click();
    const reranked = await page
      .getByTestId('example-detail')
      .getByRole('region', { name: 'Re-ranked top 10' })
      .locator('code')
      .allTextContents();
    expect([...reranked].sort()).toEqual(['d1', 'd2', 'd3', 'd4']);

    // the page links the re-ranked run; the TREC file it downloads holds that same q1 ranking
    const links = page.getByTestId('downloads').getByRole('link');
    expect(await links.allTextContents()).toEqual(['re-ranked run (TREC)', 'Rankify JSON']);
    const [download] = await Promise.all([page.waitForEvent('download'), links.first().click()]);
    expect(download.suggestedFilename()).toBe(`${id}.run.trec`);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    const q1 = lines.map((l) => l.split(' ')).filter((c) => c[0] === 'q1');
    expect(q1.map((c) => c[2]).slice(0, reranked.length)).toEqual(reranked);
    expect(q1.map((c) => c[3])).toEqual(q1.map((_, i) => String(i + 1)));
  });
});
