import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEIR_QRELS_HEADER, readBeirCorpus, readBeirDataset, readBeirQrels, readBeirQueries } from '../src/formats';
import { sharedScifact } from './shared-data';

const MINI = join(import.meta.dirname, 'fixtures/formats/beir-mini');
const SCIFACT = sharedScifact() ?? '';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rerank-beir-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes `text` to a fresh file named `name` in the temp dir and returns its path. */
async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'case-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe.skipIf(!SCIFACT)('BEIR reader on the real SciFact files', () => {
  it('reads 5,183 documents, 1,109 queries and the 300 test queries with 339 judgments', async () => {
    const corpus = await readBeirCorpus(join(SCIFACT, 'corpus.jsonl'));
    expect(corpus.size).toBe(5183);
    const queries = await readBeirQueries(join(SCIFACT, 'queries.jsonl'));
    expect(queries.size).toBe(1109);
    const qrels = await readBeirQrels(join(SCIFACT, 'qrels/test.tsv'));
    expect(qrels.size).toBe(300);
    expect([...qrels.values()].reduce((n, judged) => n + judged.size, 0)).toBe(339);
    // README: all test labels are 1, 1–5 relevant docs a query.
    for (const judged of qrels.values()) {
      expect([...judged.values()].every((label) => label === 1)).toBe(true);
      expect(judged.size).toBeGreaterThanOrEqual(1);
      expect(judged.size).toBeLessThanOrEqual(5);
    }
  });

  it('keeps only the test queries, and no query carries its gold evidence', async () => {
    const data = await readBeirDataset(SCIFACT, { split: 'test' });
    expect(data.queries.size).toBe(300);
    expect(data.corpus.size).toBe(5183);
    expect(data.judgedDocsMissingFromCorpus).toBe(0);
    expect([...data.queries.keys()].sort()).toEqual([...data.qrels.keys()].sort());
    // Query 2's metadata names doc 13734012 as CONTRADICT evidence; it is a train query, so read all.
    const all = await readBeirDataset(SCIFACT, { split: 'test', onlyJudgedQueries: false });
    expect(all.queries.size).toBe(1109);
    expect(all.queries.get('2')).toBe('1 in 5 million in UK have abnormal PrP positivity.');
    for (const text of all.queries.values()) expect(typeof text).toBe('string');
    expect(JSON.stringify([...all.queries])).not.toContain('13734012');
    expect(JSON.stringify([...all.queries])).not.toContain('CONTRADICT');
  });
});

describe('BEIR reader on the fixture', () => {
  it('drops metadata from queries and documents, defaults a missing title, skips blank lines', async () => {
    const data = await readBeirDataset(MINI, { split: 'test' });
    expect([...data.queries]).toEqual([
      ['q1', 'Does aspirin help headaches?'],
      ['q2', 'Does coffee cure colds?'],
    ]);
    expect(data.corpus.get('d1')).toEqual({
      title: 'Aspirin and headaches',
      text: 'Aspirin relieves tension headaches.',
    });
    expect(data.corpus.get('d3')).toEqual({ title: '', text: 'A document without a title field.' });
    expect(Object.keys(data.corpus.get('d1') ?? {})).toEqual(['title', 'text']);
    expect(data.qrels.get('q2')).toEqual(
      new Map([
        ['d2', 2],
        ['d9', 1],
      ]),
    );
    expect(data.qrels.get('q1')?.get('d3')).toBe(0);
    // d9 is judged but not in the corpus.
    expect(data.judgedDocsMissingFromCorpus).toBe(1);
  });

  it('keeps only the asked documents, and every query when told to', async () => {
    const data = await readBeirDataset(MINI, {
      split: 'test',
      onlyJudgedQueries: false,
      docids: new Set(['d2', 'd4']),
    });
    expect([...data.corpus.keys()]).toEqual(['d2', 'd4']);
    expect(data.queries.size).toBe(3);
    expect(data.judgedDocsMissingFromCorpus).toBeNull();
  });

  it('reads CRLF line ends and a byte-order mark', async () => {
    const path = await file('q.jsonl', '\ufeff{"_id": "a", "text": "x"}\r\n{"_id": "b", "text": "y"}\r\n');
    expect([...(await readBeirQueries(path))]).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
    const qrels = await file('t.tsv', `${BEIR_QRELS_HEADER}\r\nq\td\t1\r\n`);
    expect((await readBeirQrels(qrels)).get('q')?.get('d')).toBe(1);
  });
});

describe('BEIR reader errors name the file and line', () => {
  const jsonl: [string, string, string][] = [
    ['bad JSON', '{"_id": "a", "text": "x"}\n{"_id": "b", "text": \n', 'q.jsonl line 2: not valid JSON'],
    ['not an object', '{"_id": "a", "text": "x"}\n\n["b", "y"]\n', 'q.jsonl line 3: expected a JSON object'],
    ['missing _id', '{"text": "x"}\n', 'q.jsonl line 1: "_id" is missing'],
    [
      'numeric _id',
      '{"_id": "a", "text": "x"}\n{"_id": 7, "text": "y"}\n',
      'q.jsonl line 2: "_id" must be a string, got a number',
    ],
    ['empty _id', '{"_id": "", "text": "x"}\n', 'q.jsonl line 1: "_id" is empty'],
    ['_id with a space', '{"_id": "a b", "text": "x"}\n', 'q.jsonl line 1: "_id" "a b" contains whitespace'],
    [
      'duplicate _id',
      '{"_id": "a", "text": "x"}\n{"_id": "b", "text": "y"}\n{"_id": "a", "text": "z"}\n',
      'q.jsonl line 3: duplicate "_id" "a" (first on line 1)',
    ],
    ['missing text', '{"_id": "a"}\n', 'q.jsonl line 1: "text" is missing'],
    ['non-string text', '{"_id": "a", "text": ["x"]}\n', 'q.jsonl line 1: "text" must be a string, got an array'],
  ];
  it.each(jsonl)('queries: %s', async (_case, text, message) => {
    await expect(readBeirQueries(await file('q.jsonl', text))).rejects.toThrow(message);
  });

  it('corpus: a non-string title, and a duplicate outside the kept ids', async () => {
    await expect(readBeirCorpus(await file('c.jsonl', '{"_id": "a", "title": 3, "text": "x"}\n'))).rejects.toThrow(
      'c.jsonl line 1: "title" must be a string, got a number',
    );
    const dup = await file('c.jsonl', '{"_id": "a", "text": "x"}\n{"_id": "a", "text": "y"}\n');
    await expect(readBeirCorpus(dup, { only: new Set(['b']) })).rejects.toThrow('c.jsonl line 2: duplicate "_id" "a"');
  });

  const qrels: [string, string, string][] = [
    [
      'a missing header',
      'q1\td1\t1\n',
      `t.tsv line 1: expected the BEIR header "query-id\\tcorpus-id\\tscore", got "q1\\td1\\t1"`,
    ],
    ['a TREC-style header', 'qid iter docid rel\n', 't.tsv line 1: expected the BEIR header'],
    ['an empty file', '', 't.tsv: empty file'],
    [
      'two columns',
      `${BEIR_QRELS_HEADER}\nq1\td1\t1\nq1\td2\n`,
      't.tsv line 3: expected 3 tab-separated columns (query-id, corpus-id, score), got 2',
    ],
    [
      'four columns',
      `${BEIR_QRELS_HEADER}\nq1\t0\td1\t1\n`,
      't.tsv line 2: expected 3 tab-separated columns (query-id, corpus-id, score), got 4',
    ],
    ['a fractional score', `${BEIR_QRELS_HEADER}\nq1\td1\t0.5\n`, 't.tsv line 2: score "0.5" is not an integer label'],
    ['a word as score', `${BEIR_QRELS_HEADER}\nq1\td1\tyes\n`, 't.tsv line 2: score "yes" is not an integer label'],
    ['an empty score', `${BEIR_QRELS_HEADER}\nq1\td1\t\n`, 't.tsv line 2: score "" is not an integer label'],
    ['an empty query id', `${BEIR_QRELS_HEADER}\n\td1\t1\n`, 't.tsv line 2: query-id is empty'],
    [
      'a duplicate judgment',
      `${BEIR_QRELS_HEADER}\nq1\td1\t1\n\nq1\td1\t0\n`,
      't.tsv line 4: query "q1" document "d1" is judged twice',
    ],
  ];
  it.each(qrels)('qrels: %s', async (_case, text, message) => {
    await expect(readBeirQrels(await file('t.tsv', text))).rejects.toThrow(message);
  });

  it('names a missing file, a judged query absent from queries.jsonl, and a bad split', async () => {
    await expect(readBeirQueries(join(tmp, 'nope.jsonl'))).rejects.toThrow('nope.jsonl: file not found');
    await expect(readBeirDataset(MINI, { split: 'dev' })).rejects.toThrow('qrels/dev.tsv: file not found');
    await expect(readBeirDataset(MINI, { split: '../test' })).rejects.toThrow(
      'split "../test" is not a plain file name',
    );
    const dir = await mkdtemp(join(tmp, 'ds-'));
    await mkdir(join(dir, 'qrels'));
    await writeFile(join(dir, 'qrels/test.tsv'), `${BEIR_QRELS_HEADER}\nq1\td1\t1\nq7\td1\t1\n`);
    await writeFile(join(dir, 'queries.jsonl'), '{"_id": "q1", "text": "x"}\n');
    await writeFile(join(dir, 'corpus.jsonl'), '{"_id": "d1", "text": "y"}\n');
    await expect(readBeirDataset(dir, { split: 'test' })).rejects.toThrow(
      'qrels/test.tsv: query "q7" is judged but not in queries.jsonl',
    );
  });
});
