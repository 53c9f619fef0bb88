import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWER_MATCH_NOTE,
  type Candidate,
  loadRankifyJson,
  parseRankify,
  readRankify,
  rerankRankify,
  writeRerankedRankify,
} from '../src/formats';
import { slowSink } from './formats-helpers';

const MINI = join(import.meta.dirname, 'fixtures/formats/rankify-mini.json');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rerank-rankify-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmp, 'case-')), 'r.json');
  await writeFile(path, text);
  return path;
}

describe('Rankify reader', () => {
  it('reads queries, the candidate run in file order, and passages; answers stay out', async () => {
    const data = await readRankify(MINI);
    // Entry 0 has query_id "nq-7"; entry 1 has none, so its id is its position, "1".
    expect([...data.queries]).toEqual([
      ['nq-7', 'who wrote hamlet'],
      ['1', 'capital of france'],
    ]);
    expect(data.run.get('nq-7')).toEqual([
      { docid: 'w10', score: 12.5 },
      { docid: '20', score: 11.25 },
      { docid: 'w30', score: 9.5 },
    ]);
    expect(data.run.get('1')?.map((c) => c.docid)).toEqual(['w40', 'w50']);
    expect(data.passages.get('w30')).toEqual({ title: '', text: 'Shakespeare wrote plays in London.' });
    expect(data.passages.get('20')).toEqual({ title: 'Denmark', text: 'Denmark is a Nordic country.' });
    expect(data.labels).toBeNull();
    // The answers are the gold of has_answer: nothing a model reads (queries) carries them.
    expect(Object.keys(data).sort()).toEqual(['labels', 'passages', 'queries', 'run']);
    expect(JSON.stringify([...data.queries])).not.toContain('Shakespeare');
  });

  it('derives has_answer labels only when asked, flagged as answer matching', async () => {
    const { labels } = await readRankify(MINI, { labels: true });
    expect(labels?.kind).toBe('answer-match');
    expect(labels?.note).toBe(ANSWER_MATCH_NOTE);
    expect(labels?.note).toContain('not human relevance judgments');
    expect(labels?.qrels.get('nq-7')).toEqual(
      new Map([
        ['w10', 1],
        ['20', 0],
        ['w30', 1],
      ]),
    );
    expect(labels?.qrels.get('1')).toEqual(
      new Map([
        ['w40', 0],
        ['w50', 1],
      ]),
    );
  });

  it('refuses a file over the size limit before parsing it', async () => {
    // Not JSON at all: the size message proves the text was never parsed.
    const path = await file(`[${'x'.repeat(200)}`);
    await expect(readRankify(path, { maxBytes: 100 })).rejects.toThrow(
      'r.json: is 201 bytes, over the 100-byte limit for Rankify JSON (it is parsed whole); raise the limit or split the file',
    );
    await expect(readRankify(path, { maxBytes: 201 })).rejects.toThrow('r.json: not valid JSON');
    await expect(loadRankifyJson(join(tmp, 'absent.json'))).rejects.toThrow('absent.json: file not found');
    await expect(loadRankifyJson(tmp)).rejects.toThrow('not a regular file');
  });

  const ctx = '{"id": "a", "score": 1, "has_answer": true}';
  const bad: [string, string, string][] = [
    ['an object at the top', '{"question": "q"}', 'r.json: expected a JSON array of entries, got a object'],
    ['a non-object entry', `[{"question": "q", "ctxs": []}, 3]`, 'r.json entry 1: expected an object, got a number'],
    [
      'a missing question',
      `[{"question": "q", "ctxs": []}, {"ctxs": []}]`,
      'r.json entry 1: "question" must be a string, got nothing',
    ],
    ['missing ctxs', '[{"question": "q"}]', 'r.json entry 0: "ctxs" must be an array, got nothing'],
    [
      'a ctx that is not an object',
      '[{"question": "q", "ctxs": ["a"]}]',
      'r.json entry 0: "ctxs[0]" must be an object, got a string',
    ],
    [
      'a ctx without id',
      `[{"question": "q", "ctxs": [${ctx}, {"score": 1}]}]`,
      'r.json entry 0: "ctxs[1].id" must be a string or an integer, got nothing',
    ],
    [
      'a ctx id with a space',
      '[{"question": "q", "ctxs": [{"id": "a b", "score": 1}]}]',
      'r.json entry 0: "ctxs[0].id" "a b" contains whitespace',
    ],
    [
      'a duplicate ctx id',
      `[{"question": "q", "ctxs": [${ctx}, ${ctx}]}]`,
      'r.json entry 0: "ctxs[1].id" "a" appears twice in this entry',
    ],
    [
      'a missing score',
      '[{"question": "q", "ctxs": [{"id": "a"}]}]',
      'r.json entry 0: "ctxs[0].score" must be a finite number, got nothing',
    ],
    [
      'a word as score',
      '[{"question": "q", "ctxs": [{"id": "a", "score": "high"}]}]',
      'r.json entry 0: "ctxs[0].score" must be a finite number, got "high"',
    ],
    [
      'a non-boolean has_answer',
      '[{"question": "q", "ctxs": [{"id": "a", "score": 1, "has_answer": 1}]}]',
      'r.json entry 0: "ctxs[0].has_answer" must be true or false, got a number',
    ],
    [
      'a non-string text',
      '[{"question": "q", "ctxs": [{"id": "a", "score": 1, "text": 5}]}]',
      'r.json entry 0: "ctxs[0].text" must be a string, got a number',
    ],
    [
      'a fractional query_id',
      '[{"question": "q", "query_id": 1.5, "ctxs": []}]',
      'r.json entry 0: "query_id" must be a string or an integer, got a number',
    ],
    [
      'colliding query ids',
      '[{"question": "q", "ctxs": []}, {"question": "r", "query_id": "0", "ctxs": []}]',
      'r.json entry 1: query id "0" is also the id of entry 0',
    ],
  ];
  it.each(bad)('names the entry and field for %s', async (_case, text, message) => {
    await expect(readRankify(await file(text))).rejects.toThrow(message);
  });

  it('requires has_answer on every ctx when labels are asked for', () => {
    const value = [
      {
        question: 'q',
        ctxs: [
          { id: 'a', score: 2, has_answer: true },
          { id: 'b', score: 1 },
        ],
      },
    ];
    expect(parseRankify(value, { name: 'x.json' }).run.get('0')).toHaveLength(2);
    expect(() => parseRankify(value, { name: 'x.json', labels: true })).toThrow(
      'x.json entry 0: "ctxs[1].has_answer" is missing, and labels were asked for',
    );
  });
});

describe('Rankify writer', () => {
  const source = () => JSON.parse(readFileSync(MINI, 'utf8')) as unknown;
  const reranked = new Map<string, Candidate[]>([
    [
      'nq-7',
      [
        { docid: 'w30', score: 3.5 },
        { docid: 'w10', score: -0.25 },
        { docid: '20', score: -7 },
      ],
    ],
    [
      '1',
      [
        { docid: 'w50', score: 0.75 },
        { docid: 'w40', score: 0.125 },
      ],
    ],
  ]);

  it('round-trips: reordered ctxs with new scores, every other field kept as it was', async () => {
    const original = source();
    const { sink, text } = slowSink();
    await writeRerankedRankify(original, reranked, sink);
    const written = JSON.parse(text()) as { ctxs: Record<string, unknown>[] }[];
    // Read back, the run is exactly the re-ranked one.
    const back = parseRankify(written, { name: 'out.json', labels: true });
    expect([...back.run]).toEqual([...reranked]);
    expect(back.labels?.qrels.get('nq-7')?.get('w30')).toBe(1);
    // Each written ctx is its source ctx with only the score changed, keys in their original order.
    const src = source() as { ctxs: Record<string, unknown>[] }[];
    written.forEach((entry, i) => {
      const before = src[i];
      expect({ ...entry, ctxs: [] }).toEqual({ ...before, ctxs: [] });
      expect(Object.keys(entry)).toEqual(Object.keys(before ?? {}));
      for (const ctx of entry.ctxs) {
        const old = before?.ctxs.find((c) => c.id === ctx.id);
        expect({ ...ctx, score: null }).toEqual({ ...old, score: null });
        expect(Object.keys(ctx)).toEqual(Object.keys(old ?? {}));
      }
    });
    expect(written[0]?.ctxs[0]).toMatchObject({ id: 'w30', score: 3.5, has_answer: true });
    expect(written[0]?.ctxs[2]).toMatchObject({ id: 20, score: -7 });
    expect(written[1]?.ctxs[1]).toMatchObject({ extra: { nested: [1, 2, null] } });
    // The source value itself is not modified.
    expect(original).toEqual(source());
  });

  const change = (qid: string, candidates: Candidate[]) => new Map([...reranked, [qid, candidates]]);
  const bad: [string, Map<string, Candidate[]>, string][] = [
    [
      'a query the run lacks',
      new Map([...reranked].slice(0, 1)),
      'in.json entry 1: the run has no ranking for query "1"',
    ],
    ['a query no entry has', change('nq-8', []), 'in.json: the run has query "nq-8", which no entry has'],
    [
      'a document that is not a ctx',
      change('1', [{ docid: 'w99', score: 1 }]),
      'in.json entry 1: the run ranks "w99" for query "1", which is not one of its ctxs',
    ],
    [
      'a dropped ctx',
      change('1', [{ docid: 'w50', score: 1 }]),
      'in.json entry 1: the run does not rank ctx "w40" of query "1"',
    ],
    [
      'a document ranked twice',
      change('1', [
        { docid: 'w50', score: 1 },
        { docid: 'w50', score: 0 },
      ]),
      'in.json entry 1: the run ranks "w50" twice for query "1"',
    ],
    [
      'a NaN score',
      change('1', [
        { docid: 'w50', score: Number.NaN },
        { docid: 'w40', score: 0 },
      ]),
      'in.json entry 1: the run\'s score for "w50" at rank 1 is NaN, not a finite number',
    ],
  ];
  it.each(bad)('refuses %s before writing anything', async (_case, run, message) => {
    const { sink, text } = slowSink();
    await expect(writeRerankedRankify(source(), run, sink, 'in.json')).rejects.toThrow(message);
    expect(text()).toBe('');
  });

  it('checks the source like the reader does', () => {
    expect(() => rerankRankify({ not: 'an array' }, reranked, 'in.json')).toThrow(
      'in.json: expected a JSON array of entries',
    );
  });
});
