import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evaluator, EvaluatorReport } from '@trueboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text2sqlFamily } from '../src/family';
import { miniSpider, testRunContext } from './fixture';

/*
 * The family module against the real evaluator's rows: the row schema accepts what report.ts
 * writes, and the triage signals are read off the reasons and previews the evaluator really gives
 * (so a change of its reason wording shows up here, not as silently missing triage signals).
 */
const EXAMPLES = [
  // 0: a plain example, answered right
  { db_id: 'concert_singer', question: 'How many singers?', query: 'SELECT count(*) FROM singer' },
  // 1: the gold query does not run
  { db_id: 'concert_singer', question: 'Broken gold', query: 'SELECT no_such_column FROM singer' },
  // 2: the gold query returns no rows; the prediction returns one
  { db_id: 'concert_singer', question: 'Nobody', query: "SELECT name FROM singer WHERE country = 'Mars'" },
  // 3: the database is not in the dataset: unscorable, but not because of the gold
  { db_id: 'no_such_db', question: 'Missing database', query: 'SELECT 1' },
];
const PREDICTIONS = { '0': 'SELECT COUNT(*) FROM singer', '1': 'SELECT 1', '2': 'SELECT name FROM singer LIMIT 1' };

let evaluator: Evaluator;
let prepared: unknown;
let report: EvaluatorReport;

beforeAll(async () => {
  const dir = miniSpider(EXAMPLES);
  evaluator = await text2sqlFamily.evaluator();
  prepared = await evaluator.prepare({
    ref: { benchmark: 'mini', version: 1, contentHash: 'c'.repeat(64), files: [], evaluator: { workers: 1 } },
    root: dir,
  });
  const file = join(mkdtempSync(join(tmpdir(), 'tb-preds-')), 'preds.json');
  writeFileSync(file, JSON.stringify({ predictions: PREDICTIONS }));
  report = await evaluator.evaluate(
    prepared,
    { sha256: 'b'.repeat(64), path: file, mediaType: 'application/json' },
    testRunContext(),
  );
});
afterAll(() => evaluator?.dispose?.(prepared));

const row = (id: string) => {
  const r = report.examples.find((e) => e.id === id);
  if (!r) throw new Error(`no row ${id}`);
  return { verdict: r.verdict, reason: r.reason ?? null, data: r.data };
};

describe('the text-to-SQL family module', () => {
  it("describes the evaluator's rows: every row parses, and the facets and summary are fields of them", () => {
    const { schema, facets, summary } = text2sqlFamily.rows;
    for (const e of report.examples) expect(schema.safeParse(e.data).error).toBeUndefined();
    expect(facets.map((f) => f.field)).toEqual(['db_id', 'difficulty']);
    for (const field of summary) expect(row('0').data).toHaveProperty(field);
  });

  it('reads triage signals off the rows: a failing gold, an empty gold, the answer; a missing database is neither', () => {
    const { triage } = text2sqlFamily.rows;
    expect(triage(row('0'))).toEqual({ answer: JSON.stringify(row('0').data.pred_preview) });
    expect(triage(row('1')).goldFails).toMatch(/^the gold query fails \(gold query .*no_such_column/);
    expect(triage(row('2'))).toMatchObject({ goldEmpty: 'the gold query returns no rows' });
    expect(row('3').verdict).toBeNull();
    expect(triage(row('3'))).toEqual({});
  });

  it('says why a row is unscorable in a field of its data, which triage reads instead of the reason', () => {
    expect(report.examples.map((e) => [e.id, e.data.unscorable])).toEqual([
      ['0', undefined],
      ['1', 'gold_failed'],
      ['2', undefined],
      ['3', 'database_missing'],
    ]);
    // the reason's wording no longer matters to triage once the field is there
    const { triage } = text2sqlFamily.rows;
    expect(triage({ ...row('1'), reason: 'the gold SQL broke' }).goldFails).toBe(
      'the gold query fails (the gold SQL broke)',
    );
    expect(triage({ ...row('3'), reason: 'gold query timed out after 1 ms' })).toEqual({});
  });

  it("heads boards with EX under the semantics of each row's verdict", () => {
    const { metric, semantics } = text2sqlFamily.primary;
    expect(metric).toBe('ex');
    expect(semantics({})).toBe('spider');
    expect(semantics({ format: 'bird' })).toBe('bird');
    expect(semantics({ format: 'bird', primarySemantics: 'spider' })).toBe('spider');
    expect(semantics({ primarySemantics: 'bird' })).toBe('bird');
  });

  it('checks a predictions file before upload, naming the problem', () => {
    const { check } = text2sqlFamily.artifact;
    if (!check) throw new Error('no check');
    expect(check({ name: 'p.json', text: JSON.stringify({ predictions: { '0': 'SELECT 1' } }) })).toBeNull();
    expect(check({ name: 'p.sql', text: 'SELECT 1\nSELECT 2\n' })).toBeNull();
    expect(check({ name: 'p.json', text: '{"predictions": ' })).toMatch(/^p\.json is not valid JSON: /);
    expect(check({ name: 'p.json', text: '[]' })).toMatch(/^p\.json: expected an object/);
    expect(check({ name: 'p.json', text: '{"predictions": {"0": 1}}' })).toBe(
      'p.json: the prediction for "0" is not a string',
    );
    expect(check({ name: 'p.sql', text: '\n \n' })).toBe('p.sql has no SQL lines');
  });
});
