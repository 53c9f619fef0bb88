import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnnotationError } from '@trueboard/contracts';
import { codecFor } from '@trueboard/core';
import { families } from '@trueboard/families';
import { describe, expect, it } from 'vitest';
import { arrayElementSpans, birdCodec, spiderCodec } from '../src/annotations/index';

const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));
const files = {
  'dev.json': readFileSync(join(SPIDER, 'dev.json'), 'utf8'),
  'dev_gold.sql': readFileSync(join(SPIDER, 'dev_gold.sql'), 'utf8'),
};

/** The parts of two texts around their single differing region. */
function diffRegion(a: string, b: string) {
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

describe('spider annotations', () => {
  it('reads the gold of every example by position', () => {
    const a = spiderCodec.read(files);
    expect(a.size).toBe(1034);
    expect(a.get('0')).toEqual({
      query: 'SELECT count(*) FROM singer',
      question: 'How many singers do we have?',
      db_id: 'concert_singer',
    });
  });

  it('rewrites only the corrected fields: dev.json and dev_gold.sql are byte-identical elsewhere', () => {
    const out = spiderCodec.apply(files, new Map([['3', { query: 'SELECT name FROM singer WHERE "x" = \'é\'' }]]));
    // example 3's query changed, written like the rest of the file (ASCII escapes); its derived
    // fields changed with it (spider-derived-fields.test.ts); every other example is byte-identical
    expect(out['dev.json']).toContain(`"query": "SELECT name FROM singer WHERE \\"x\\" = '\\u00e9'"`);
    const spans = (text: string) => arrayElementSpans(text).map((e) => e.span);
    const before = spans(files['dev.json']);
    const after = spans(out['dev.json'] ?? '');
    expect(after).toHaveLength(before.length);
    const slice = (text: string, sp: { start: number; end: number } | undefined) => text.slice(sp?.start, sp?.end);
    for (let i = 0; i < before.length; i++) {
      if (i === 3) continue;
      expect(slice(out['dev.json'] ?? '', after[i])).toBe(slice(files['dev.json'], before[i]));
    }
    // the text around example 3 is the original's, byte for byte
    expect(out['dev.json']?.slice(0, after[3]?.start)).toBe(files['dev.json'].slice(0, before[3]?.start));
    expect(out['dev.json']?.slice(after[3]?.end)).toBe(files['dev.json'].slice(before[3]?.end));
    const gold = diffRegion(files['dev_gold.sql'], out['dev_gold.sql'] ?? '');
    expect(gold.removed.split('\n')).toHaveLength(1);
    expect(out['dev_gold.sql']?.split('\n')[3]).toBe(`SELECT name FROM singer WHERE "x" = 'é'\tconcert_singer`);
    // and reading the result back gives the new gold
    expect(spiderCodec.read({ ...files, ...out }).get('3')?.query).toBe(`SELECT name FROM singer WHERE "x" = 'é'`);
    // a question-only correction leaves dev_gold.sql alone
    expect(Object.keys(spiderCodec.apply(files, new Map([['5', { question: 'How many?' }]])))).toEqual(['dev.json']);
  });

  it('refuses unknown examples and fields with their names', () => {
    expect(() => spiderCodec.apply(files, new Map([['5000', { query: 'x' }]]))).toThrow(
      /dev\.json has no example 5000/,
    );
    expect(() => spiderCodec.apply(files, new Map([['1', { sql: 'x' }]]))).toThrow(AnnotationError);
    expect(() => spiderCodec.apply(files, new Map([['1', { sql: 'x' }]]))).toThrow(/"sql" is not an editable field/);
  });
});

describe('bird annotations', () => {
  const dev = JSON.stringify(
    [
      { question_id: 7, db_id: 'a', question: 'q7', evidence: '', SQL: 'SELECT 1', difficulty: 'simple' },
      { question_id: 9, db_id: 'a', question: 'q9', evidence: 'e', SQL: 'SELECT 2', difficulty: 'moderate' },
    ],
    null,
    4,
  );
  const bird = { 'dev.json': dev, 'dev.sql': 'SELECT 1\ta\nSELECT 2\ta\n' };

  it('keys examples by question_id and patches JSON and the gold file in place', () => {
    expect(birdCodec.read(bird).get('9')).toEqual({ SQL: 'SELECT 2', question: 'q9', evidence: 'e', db_id: 'a' });
    const out = birdCodec.apply(bird, new Map([['9', { SQL: 'SELECT 3', evidence: 'fixed' }]]));
    expect(JSON.parse(out['dev.json'] ?? '')[1]).toMatchObject({
      SQL: 'SELECT 3',
      evidence: 'fixed',
      difficulty: 'moderate',
    });
    expect(out['dev.sql']).toBe('SELECT 1\ta\nSELECT 3\ta\n');
  });
});

describe('codecFor and spans', () => {
  it('picks the layout from the file list', () => {
    const p = { families };
    expect(codecFor(p, 'text2sql', ['dev.json', 'dev_gold.sql', 'tables.json'])?.codec.name).toBe('spider');
    expect(codecFor(p, 'text2sql', ['dev.json', 'dev_databases/a/a.sqlite'])?.codec.name).toBe('bird');
    expect(codecFor(p, 'rerank', ['qrels.tsv'])).toBeNull();
  });

  it('finds value spans of top-level keys only, and names the line of a malformed file', () => {
    const text = '[ {"a": {"b": "x"}, "b": "y"} ,\n {"a": [1, 2]} ]';
    const [first, second] = arrayElementSpans(text);
    const at = (s: { start: number; end: number } | undefined) => (s ? text.slice(s.start, s.end) : null);
    expect(at(first?.fields.get('b'))).toBe('"y"');
    expect(at(first?.fields.get('a'))).toBe('{"b": "x"}');
    expect(at(second?.fields.get('a'))).toBe('[1, 2]');
    expect(() => arrayElementSpans('[{"a": 1},\n{"a" 2}]')).toThrow(/line 2: expected ":"/);
  });
});
