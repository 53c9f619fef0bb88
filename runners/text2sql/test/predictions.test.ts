import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpider } from '../src/formats/spider';
import { detectFormat, importLines, parsePredictions } from '../src/predictions';
import { miniSpider, SPIDER } from './fixture';

const ds = loadSpider(SPIDER);

describe('the Spider dev data', () => {
  it('loads 1,034 examples keyed by position, 62 of them on wta_1', () => {
    expect(ds.examples).toHaveLength(1034);
    expect(ds.examples[0]).toMatchObject({ id: '0', dbId: 'concert_singer', goldSql: 'SELECT count(*) FROM singer' });
    expect(ds.examples.filter((e) => e.dbId === 'wta_1')).toHaveLength(62);
  });

  it('reads questions beyond ASCII as UTF-8 (an ASCII file takes a faster decoding)', () => {
    const questions = ['Wie viele Sänger gibt es?', '歌手は何人いますか？', 'How many singers? 🎤'];
    const dir = miniSpider(questions.map((question) => ({ db_id: 'concert_singer', question, query: 'SELECT 1' })));
    expect(loadSpider(dir).examples.map((e) => e.question)).toEqual(questions);
    expect(ds.examples[0]?.question).toBe('How many singers do we have?');
  });
});

describe('the position-based importer', () => {
  const lines = readFileSync(join(SPIDER, 'baselines', 'dail-sql-gpt4.sql'), 'utf8');

  it('reads one SQL per line, with or without a final newline', () => {
    expect(lines.endsWith('\n')).toBe(false); // this published file lacks it
    const preds = importLines(lines, ds, 'dail.sql');
    expect(preds.size).toBe(1034);
    expect(preds.get('2')).toBe('SELECT Name, Country, Age FROM singer ORDER BY Age DESC');
    expect(importLines(`${lines}\n`, ds, 'dail.sql').size).toBe(1034);
  });

  it('says how many lines are missing or extra', () => {
    const short = lines.split('\n').slice(0, 1033).join('\n');
    expect(() => importLines(short, ds, 'p.sql')).toThrow(
      'p.sql: 1033 lines but the dataset has 1034 examples: 1 line missing.',
    );
    expect(() => importLines(`${lines}\nSELECT 1\nSELECT 2`, ds, 'p.sql')).toThrow(
      /1036 lines but the dataset has 1034 examples: 2 lines extra/,
    );
  });

  it('finds where a db_id-tagged file goes out of step, and checks each tag', () => {
    const tagged = ds.examples.map((e, i) => `${lines.split('\n')[i]}\t${e.dbId}`);
    tagged.splice(40, 1); // drop example 40's line: every later line shifts up by one
    // the shift shows at the first line i >= 40 where example i + 1 is on another database than example i
    const i = ds.examples.findIndex((e, k) => k >= 40 && ds.examples[k + 1]?.dbId !== e.dbId);
    expect(() => importLines(tagged.join('\n'), ds, 'p.sql')).toThrow(
      `1 line missing at or before line ${i + 1} (the first line whose db_id does not match)`,
    );
    const wrong = ds.examples.map((e, i) => `${lines.split('\n')[i]}\t${i === 5 ? 'pets_1' : e.dbId}`);
    expect(() => importLines(wrong.join('\n'), ds, 'p.sql')).toThrow(
      'p.sql: line 6: db_id "pets_1" but example 5 is on "concert_singer"',
    );
  });

  it('takes the text before a tab and trims spaces', () => {
    const text = `${ds.examples.map((_, i) => (i === 0 ? '   select count(*) from singer\tconcert_singer  ' : '')).join('\n')}\n`;
    const preds = importLines(text, ds, 'p.sql');
    expect(preds.get('0')).toBe('select count(*) from singer');
    expect(preds.has('1')).toBe(false); // an empty line is "no prediction"
  });
});

describe('keyed formats', () => {
  it('keys the trueboard format by id and names unknown ids', () => {
    const ok = parsePredictions(JSON.stringify({ predictions: { '0': 'SELECT 1', '1033': 'SELECT 2' } }), ds, 'p.json');
    expect(ok.format).toBe('trueboard');
    expect([...ok.byId]).toEqual([
      ['0', 'SELECT 1'],
      ['1033', 'SELECT 2'],
    ]);
    expect(() => parsePredictions(JSON.stringify({ predictions: { '1034': 'x', abc: 'y' } }), ds, 'p.json')).toThrow(
      'p.json: 2 predictions for unknown example ids "1034", "abc"',
    );
    expect(() => parsePredictions('{"predictions": [1]}', ds, 'p.json')).toThrow(/"predictions" must be an object/);
  });

  it('reads BIRD files by key (a key-sorted file scores the same) and checks db ids', () => {
    const bird = {
      '1': 'SELECT 2\t----- bird -----\tconcert_singer',
      '0': 'SELECT 1\t----- bird -----\tconcert_singer',
    };
    const p = parsePredictions(JSON.stringify(bird), ds, 'bird.json');
    expect(p.format).toBe('bird');
    expect(p.byId.get('0')).toBe('SELECT 1');
    expect(() =>
      parsePredictions(JSON.stringify({ '0': 'SELECT 1\t----- bird -----\tpets_1' }), ds, 'bird.json'),
    ).toThrow('bird.json: "0": db_id "pets_1" but the example is on "concert_singer"');
  });

  it('detects formats from content', () => {
    expect(detectFormat('SELECT 1\nSELECT 2')).toBe('spider');
    expect(detectFormat('{"predictions": {}}')).toBe('trueboard');
    expect(detectFormat('{"0": "SELECT 1\\t----- bird -----\\tdb"}')).toBe('bird');
  });
});
