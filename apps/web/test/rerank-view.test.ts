import { unzipSync } from 'fflate';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { modesOf } from '../app/submit/artifact-field';
import { directoryFiles, packZip, zipSize } from '../app/submit/pack-directory';
import { checkArtifact, checkDirectory } from '../app/submit/validate';
import { familyView } from '../families';
import { checkModelDirectory } from '../families/rerank/directory-check';
import type { ExampleRow, FacetCount } from '../families/types';

/*
 * The re-ranking web view rendered on the server as the pages render it, on rows shaped as the
 * evaluator writes them. The numbers are those of the browser test's fixture query q1
 * (rerank-benchmark.ts derives them): BM25 ranks d1 (label 2), d3 (0), d2 (1), d4 (unjudged),
 * nDCG@10 = (2 + 1/log2 4) / (2 + 1/log2 3) = 0.95023; the run ranks d3, d1, d4, d2,
 * nDCG@10 = (2/log2 3 + 1/log2 5) / (2 + 1/log2 3) = 0.64332.
 */
const view = familyView('rerank');
const IDCG = 2 + 1 / Math.log2(3);
const BEFORE = (2 + 1 / Math.log2(4)) / IDCG;
const AFTER = (2 / Math.log2(3) + 1 / Math.log2(5)) / IDCG;

const row = (data: Record<string, unknown>): ExampleRow => ({
  resultId: 'r',
  exampleId: 'q1',
  verdict: typeof data.ndcg_cut_10 === 'number' ? data.ndcg_cut_10 : 0,
  reason: null,
  data,
  sourceResultId: null,
});
const q1 = row({
  query: 'what is one',
  ndcg_cut_10: AFTER,
  map: 0.5,
  recip_rank_10: 0.5,
  recall_100: 1,
  relevant: 2,
  missing_from_run: false,
  top10: [
    { docid: 'd3', score: 3, label: 0 },
    { docid: 'd1', score: 2, label: 2 },
    { docid: 'd4', score: 1, label: null },
    { docid: 'd2', score: 0.5, label: 1 },
  ],
  first_stage: {
    ndcg_cut_10: BEFORE,
    top10: [
      { docid: 'd1', score: 4, label: 2 },
      { docid: 'd3', score: 3, label: 0 },
      { docid: 'd2', score: 2, label: 1 },
      { docid: 'd4', score: 1, label: null },
    ],
  },
  change: 'worse',
});

const html = (r: ExampleRow) => renderToStaticMarkup(createElement(view.examples.Detail, { row: r }));
const text = (markup: string) => markup.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
/** a list's rows as "rank docid judgment" */
function listRows(markup: string, title: string): string[] {
  const section = markup.split(`aria-label="${title}"`)[1]?.split('</section>')[0] ?? '';
  return [...section.matchAll(/<tr data-testid="ranked-doc">(.*?)<\/tr>/g)].map((m) =>
    text(m[1] ?? '')
      .replace(/[✓✗?] /g, '')
      .trim(),
  );
}
const cell = (key: string, r: ExampleRow) => {
  const c = [...view.examples.lead, ...view.examples.trail].find((x) => x.key === key);
  return c ? text(renderToStaticMarkup(createElement('td', null, c.cell(r)))).trim() : undefined;
};

describe('the re-ranking view of one query', () => {
  it('shows the BM25 and the re-ranked top 10 side by side, each document judged in words, and nDCG@10 before → after', () => {
    const h = html(q1);
    expect(text(h)).toContain('Query: what is one');
    expect(listRows(h, 'BM25 top 10')).toEqual([
      '1 d1 relevant (2) 4',
      '2 d3 not relevant (0) 3',
      '3 d2 relevant (1) 2',
      '4 d4 unjudged 1',
    ]);
    expect(listRows(h, 'Re-ranked top 10')).toEqual([
      '1 d3 not relevant (0) 3',
      '2 d1 relevant (2) 2',
      '3 d4 unjudged 1',
      '4 d2 relevant (1) 0.5',
    ]);
    // a judgment is a word and a symbol as well as a colour
    expect(h).toMatch(/data-label="relevant"[^>]*><span aria-hidden="true">✓ <\/span>relevant/);
    expect(h).toMatch(/data-label="unjudged"[^>]*><span aria-hidden="true">\? <\/span>unjudged/);
    expect(text(h)).toContain('nDCG@10: 0.9502 (BM25) → 0.6433 (re-ranked), −0.3069 — worse than BM25 (negative flip)');
  });

  it('without first-stage data (an older row, or no candidates) shows the run alone; a query missing from the run says so', () => {
    const { first_stage: _, change: __, ...older } = q1.data;
    const h = html(row(older));
    expect(h).not.toContain('BM25 top 10');
    expect(listRows(h, 'Re-ranked top 10')).toHaveLength(4);
    expect(text(h)).toMatch(/nDCG@10: 0\.6433 \(no first-stage candidates recorded/);
    const missing = html(row({ ...q1.data, top10: [], missing_from_run: true, ndcg_cut_10: 0, change: 'worse' }));
    expect(text(missing)).toContain('The run has no line for this query: it scores 0');
    expect(text(missing)).toContain('The run ranks no document for this query.');
  });

  it('lists the query (cut, whole in the title), its nDCG@10 and the signed change against BM25', () => {
    expect(cell('query', q1)).toBe('what is one');
    const long = 'x'.repeat(200);
    const lead = renderToStaticMarkup(createElement('td', null, view.examples.lead[0]?.cell(row({ query: long }))));
    expect(lead).toContain(`title="${long}"`);
    expect(text(lead).trim()).toBe(`${'x'.repeat(79)}…`);
    expect(cell('ndcg', q1)).toBe('0.6433');
    expect(cell('ndcg-change', q1)).toBe('−0.3069');
    const better = row({ ndcg_cut_10: 1, first_stage: { ndcg_cut_10: 1 / Math.log2(3), top10: [] }, change: 'better' });
    expect(cell('ndcg-change', better)).toBe('+0.3691');
    const same = row({ ndcg_cut_10: 0, first_stage: { ndcg_cut_10: 0, top10: [] }, change: 'same' });
    expect(cell('ndcg-change', same)).toBe('0.0000');
    expect(cell('ndcg-change', row({ ndcg_cut_10: 0.5 }))).toBe('—');
  });

  it('names the change facet and its values, and counts the negative flips above the table', () => {
    expect(view.examples.facetLabel('change')).toBe('vs BM25');
    expect(view.examples.facetValue?.('change', 'worse')).toBe('worse than BM25 (negative flip)');
    expect(view.examples.facetValue?.('change', 'same')).toBe('same as BM25');
    const facets: FacetCount[] = [
      { field: 'change', value: 'better', n: 2 },
      { field: 'change', value: 'same', n: 1 },
      { field: 'change', value: 'worse', n: 2 },
    ];
    const Summary = view.examples.FacetSummary;
    if (!Summary) throw new Error('the re-ranking view has no facet summary');
    const summary = text(renderToStaticMarkup(createElement(Summary, { facets, filter: () => {} })));
    expect(summary.trim()).toBe(
      'Against BM25: 2 queries worse (negative flips) , 2 better, 1 the same. Show the 2 negative flips',
    );
    expect(renderToStaticMarkup(createElement(Summary, { facets: [], filter: () => {} }))).toBe('');
  });
});

describe('submitting to re-ranking: a run file or a model directory', () => {
  const { artifact, directory } = view.submit;
  const MiB = 1024 * 1024;

  it('offers a file and a directory when the family takes either', () => {
    expect(modesOf(artifact.kind)).toEqual(artifact.kind === 'file' ? ['file'] : ['file', 'directory']);
    expect(modesOf('file-or-directory')).toEqual(['file', 'directory']);
    expect(modesOf('directory')).toEqual(['directory']);
    expect(modesOf(undefined)).toEqual(['file']);
  });

  it("checks a run file's first line; an archive sent to a family that takes directories is the runner's to read", async () => {
    const file = (name: string, body: string | Uint8Array<ArrayBuffer>) => new File([body], name);
    expect(await checkArtifact(file('run.trec', 'q1 Q0 d1 1 2.5 mine\n'), MiB, artifact.check, artifact.kind)).toBe(
      null,
    );
    expect(await checkArtifact(file('run.trec', 'q1 d1 1 2.5 mine\n'), MiB, artifact.check, artifact.kind)).toBe(
      "run.trec line 1: expected 6 columns 'qid Q0 docid rank score tag', found 5",
    );
    // told apart by the bytes, as the runner does, whatever the name
    const zip = file('packed', await packZip([{ path: 'model.onnx', size: 1, file: new Blob(['x']) }]));
    expect(await checkArtifact(zip, MiB, artifact.check, 'file-or-directory')).toBe(null);
    expect(await checkArtifact(zip, MiB, artifact.check, 'file')).toMatch(/^packed line 1: /);
  });

  it('wants model.onnx and tokenizer.json at the top level of a model directory, the model in one file', () => {
    const f = (path: string, size = 10) => ({ path, size });
    expect(checkModelDirectory([f('model.onnx'), f('tokenizer.json'), f('config.json')])).toBe(null);
    expect(directory?.check).toBe(checkModelDirectory);
    expect(checkModelDirectory([f('model.onnx')])).toBe(
      'model directory: tokenizer.json is missing at its top level; a cross-encoder exported with `optimum-cli export onnx` has both',
    );
    expect(checkModelDirectory([f('onnx/model.onnx'), f('onnx/tokenizer.json')])).toBe(
      'model directory: model.onnx and tokenizer.json are missing at its top level (there is onnx/model.onnx: choose the folder that holds model.onnx and tokenizer.json); a cross-encoder exported with `optimum-cli export onnx` has both',
    );
    expect(checkModelDirectory([f('model.onnx', 0), f('tokenizer.json')])).toBe('model directory: model.onnx is empty');
    expect(checkModelDirectory([f('model.onnx', 2 ** 31), f('tokenizer.json')])).toMatch(/model\.onnx is over 2 GiB/);
    expect(checkModelDirectory([f('model.onnx'), f('model.onnx_data'), f('tokenizer.json')])).toMatch(
      /^model directory: model\.onnx_data holds external ONNX weights/,
    );
  });

  it('checks the packed size against the limit from the file sizes, before packing', () => {
    const files = [
      { path: 'model.onnx', size: 600 },
      { path: 'tokenizer.json', size: 300 },
    ];
    // stored zip: the bytes, a 30-byte local and a 46-byte central header plus the name twice per file, a 22-byte end
    const packed = 900 + 2 * (30 + 46) + 2 * 'model.onnx'.length + 2 * 'tokenizer.json'.length + 22;
    expect(zipSize(files)).toBe(packed);
    expect(checkDirectory('m', files, packed, directory?.check)).toBe(null);
    expect(checkDirectory('m', files, packed - 1, directory?.check)).toBe(
      `the directory m, packed, is ${packed} bytes; this benchmark accepts at most ${packed - 1} bytes`,
    );
    expect(checkDirectory('m', [], MiB, directory?.check)).toBe('the directory m holds no files');
    expect(checkDirectory('m', [{ path: 'x.bin', size: 1 }], MiB, directory?.check)).toMatch(/model\.onnx and/);
  });
});

describe('packing a chosen directory into a .zip in the browser', () => {
  /** a File as the directory picker gives it: named `<chosen dir>/<path>` */
  const picked = (relative: string, body: string) => {
    const f = new File([body], relative.split('/').pop() ?? relative);
    Object.defineProperty(f, 'webkitRelativePath', { value: relative });
    return f;
  };
  const chosen = [
    picked('my-model/tokenizer.json', '{"model": {}}'),
    picked('my-model/model.onnx', 'ONNX BYTES'),
    picked('my-model/extra/notes é.txt', 'nested, not ASCII'),
  ];

  it('keeps the paths inside the chosen directory, its own name aside, and the bytes', async () => {
    const { name, files } = directoryFiles(chosen);
    expect(name).toBe('my-model');
    expect(files.map((f) => f.path)).toEqual(['extra/notes é.txt', 'model.onnx', 'tokenizer.json']);
    const zip = await packZip(files);
    expect(zip.length).toBe(zipSize(files));
    const back = Object.fromEntries(Object.entries(unzipSync(zip)).map(([k, v]) => [k, new TextDecoder().decode(v)]));
    expect(back).toEqual({
      'extra/notes é.txt': 'nested, not ASCII',
      'model.onnx': 'ONNX BYTES',
      'tokenizer.json': '{"model": {}}',
    });
  });

  it('packs the same directory to the same bytes (a re-upload is recognised), in any order, at any time', async () => {
    const once = await packZip(directoryFiles(chosen).files);
    const again = await packZip(directoryFiles([...chosen].reverse()).files);
    expect(Buffer.from(again).equals(Buffer.from(once))).toBe(true);
    // every local header holds the fixed time: 00:00 on 1980-01-01 in DOS format (date = day 1 | month 1 << 5)
    const zip = Buffer.from(once);
    for (let at = zip.indexOf('PK\x03\x04', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\x03\x04', at + 4, 'latin1')) {
      expect([zip.readUInt16LE(at + 10), zip.readUInt16LE(at + 12)]).toEqual([0, 1 | (1 << 5)]);
    }
  });
});
