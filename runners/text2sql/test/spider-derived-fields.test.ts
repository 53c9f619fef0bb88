import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import {
  importBenchmarkDir,
  proposeCorrection,
  releaseVersion,
  reviewCorrection,
  setMember,
  versionFile,
} from '@trueboard/core';
import { datasetVersions } from '@trueboard/db';
import { makeUser, type TestPlatform, testPlatform } from '@trueboard/testkit';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spiderCodec } from '../src/annotations/index';
import { arrayElementSpans, fieldRemovals, replaceSpans } from '../src/annotations/json-spans';

/*
 * A corrected Spider query regenerates the example's token lists and removes its `sql` parse, on
 * the real dev files, and nothing else changes: the expected files are built here independently
 * of the codec (each corrected example re-serialized the way Spider's json.dump(indent=4) writes
 * it, spliced between the untouched bytes of the others).
 */

const SPIDER = fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url));
const devText = readFileSync(join(SPIDER, 'dev.json'), 'utf8');
const goldText = readFileSync(join(SPIDER, 'dev_gold.sql'), 'utf8');
const files = { 'dev.json': devText, 'dev_gold.sql': goldText };
type Example = Record<string, unknown>;
const dev = JSON.parse(devText) as Example[];
const curated = (
  JSON.parse(readFileSync(join(SPIDER, 'corrections', 'corrections.json'), 'utf8')) as {
    corrections: { exampleId: string; fields: { query: string } }[];
  }
).corrections;

// The v1 lists with each correction's edit made by hand (see corrections.json for the queries).
const LISTS: Record<string, { query_toks: string[]; query_toks_no_value: string[] }> = {
  // Spider's later lowercase rewrite: process_sql keeps the (now capitalized) value whole, joins !=
  '387': {
    query_toks: ['select', 'name', 'from', 'teacher', 'where', 'hometown', '!=', '"Little Lever Urban District"'],
    query_toks_no_value: ['select', 'name', 'from', 'teacher', 'where', 'hometown', '!', '=', 'value'],
  },
  // ", result" added to the select list
  '493': {
    query_toks: ['SELECT', 'name', ',', 'date', ',', 'result', 'FROM', 'battle'],
    query_toks_no_value: ['select', 'name', ',', 'date', ',', 'result', 'from', 'battle'],
  },
  // count(*) → sum(T1.injured)
  '500': {
    query_toks: [
      ...['SELECT', 'T2.id', ',', 'T2.name', 'FROM', 'death', 'AS', 'T1', 'JOIN', 'ship', 'AS', 't2', 'ON'],
      ...['T1.caused_by_ship_id', '=', 'T2.id', 'GROUP', 'BY', 'T2.id', 'ORDER', 'BY'],
      ...['sum', '(', 'T1.injured', ')', 'DESC', 'LIMIT', '1'],
    ],
    query_toks_no_value: [
      ...['select', 't2', '.', 'id', ',', 't2', '.', 'name', 'from', 'death', 'as', 't1', 'join', 'ship', 'as', 't2'],
      ...['on', 't1', '.', 'caused_by_ship_id', '=', 't2', '.', 'id', 'group', 'by', 't2', '.', 'id', 'order', 'by'],
      ...['sum', '(', 't1', '.', 'injured', ')', 'desc', 'limit', 'value'],
    ],
  },
  // 'timmothy' / 'ward' capitalized
  '554': {
    query_toks: [
      ...['select', 'cell_mobile_number', 'from', 'students', 'where', 'first_name', '=', '"Timmothy"'],
      ...['and', 'last_name', '=', '"Ward"'],
    ],
    query_toks_no_value: [
      ...['select', 'cell_mobile_number', 'from', 'students', 'where', 'first_name', '=', 'value'],
      ...['and', 'last_name', '=', 'value'],
    ],
  },
  // the join condition added, the compared column qualified
  '945': {
    query_toks: [
      ...['SELECT', 'DISTINCT', 'T1.first_name', ',', 'T1.last_name', 'FROM', 'Professionals', 'AS', 'T1'],
      ...['JOIN', 'Treatments', 'AS', 'T2', 'ON', 'T1.professional_id', '=', 'T2.professional_id', 'WHERE'],
      ...['T2.cost_of_treatment', '<', '(', 'SELECT', 'avg', '(', 'cost_of_treatment', ')', 'FROM', 'Treatments', ')'],
    ],
    query_toks_no_value: [
      ...['select', 'distinct', 't1', '.', 'first_name', ',', 't1', '.', 'last_name', 'from', 'professionals', 'as'],
      ...[
        't1',
        'join',
        'treatments',
        'as',
        't2',
        'on',
        't1',
        '.',
        'professional_id',
        '=',
        't2',
        '.',
        'professional_id',
      ],
      ...['where', 't2', '.', 'cost_of_treatment', '<', '(', 'select', 'avg', '(', 'cost_of_treatment', ')', 'from'],
      ...['treatments', ')'],
    ],
  },
};
LISTS['388'] = LISTS['387'] as (typeof LISTS)[string];

/** dev.json with some examples replaced by the given objects, every other byte as shipped. */
function devWith(replaced: Map<number, Example>): string {
  const SEP = '\n    },\n    {';
  const parts = devText.split(SEP);
  expect(parts).toHaveLength(1034);
  for (const [i, obj] of replaced) {
    if (i === 0 || i === 1033) throw new Error('only inner examples');
    const body = JSON.stringify(obj, null, 4).split('\n').join('\n    ');
    parts[i] = body.slice(1, -'\n    }'.length);
  }
  return parts.join(SEP);
}

const without = (e: Example, key: string) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));

function expectedDev(queries: Map<string, string>) {
  return devWith(
    new Map(
      [...queries].map(([id, query]) => {
        const e = dev[Number(id)] ?? {};
        return [Number(id), { ...without(e, 'sql'), query, ...LISTS[id] }];
      }),
    ),
  );
}

const SQL_REMOVED = "`sql` — derived from the old query by Spider's SQL parser, which is not reproduced here";

describe('the Spider codec on the six curated corrections', () => {
  const patches = new Map(curated.map((c) => [c.exampleId, { query: c.fields.query }]));

  it('regenerates query_toks and query_toks_no_value, removes sql, and changes no other byte', () => {
    const out = spiderCodec.apply(files, patches);
    expect(out['dev.json']).toBe(expectedDev(new Map(curated.map((c) => [c.exampleId, c.fields.query]))));
    const gold = goldText.split('\n');
    for (const c of curated) gold[Number(c.exampleId)] = `${c.fields.query}\t${dev[Number(c.exampleId)]?.db_id}`;
    expect(out['dev_gold.sql']).toBe(gold.join('\n'));
  });

  it('says per example which derived fields were regenerated and which removed, and why', () => {
    const derived = spiderCodec.derived?.(files, patches);
    expect([...(derived?.keys() ?? [])]).toEqual(curated.map((c) => c.exampleId));
    for (const d of derived?.values() ?? []) {
      expect(d).toEqual({
        regenerated: ['query_toks', 'query_toks_no_value'],
        removed: [
          { field: 'sql', why: "derived from the old query by Spider's SQL parser, which is not reproduced here" },
        ],
      });
    }
  });

  it('a later correction of a corrected example regenerates its lists again', () => {
    const v2 = { 'dev.json': spiderCodec.apply(files, patches)['dev.json'] ?? '', 'dev_gold.sql': goldText };
    const query = 'select name from teacher where hometown != "Little Lever Urban District" order by name';
    const patch = new Map([['387', { query }]]);
    expect(spiderCodec.derived?.(v2, patch).get('387')).toEqual({
      regenerated: ['query_toks', 'query_toks_no_value'],
      removed: [],
    });
    const e = (JSON.parse(spiderCodec.apply(v2, patch)['dev.json'] ?? '') as Example[])[387];
    expect(e?.query_toks).toEqual([...(LISTS['387']?.query_toks ?? []), 'order', 'by', 'name']);
    expect(e?.query_toks_no_value).toEqual([...(LISTS['387']?.query_toks_no_value ?? []), 'order', 'by', 'name']);
  });

  it('removes a list it cannot regenerate exactly, with the reason, and keeps what other fields derive from', () => {
    // a literal ending in "!" followed by ";": punkt would split the sentence (as in examples 609/610)
    const query = 'SELECT name FROM singer WHERE song_name = "Hey!";';
    const patch = new Map([['3', { query }]]);
    const parsed = JSON.parse(spiderCodec.apply(files, patch)['dev.json'] ?? '') as Example[];
    expect(Object.keys(parsed[3] ?? {})).toEqual([
      'db_id',
      'query',
      'query_toks_no_value',
      'question',
      'question_toks',
    ]);
    expect(parsed[3]?.query_toks_no_value).toEqual([
      'select',
      'name',
      'from',
      'singer',
      'where',
      'song_name',
      '=',
      'value',
    ]);
    expect(
      spiderCodec
        .derived?.(files, patch)
        .get('3')
        ?.removed.map((r) => [r.field, r.why]),
    ).toEqual([
      [
        'query_toks',
        'derived from the old query; the rules are not exact for the corrected one (NLTK would split it into sentences at an end mark)',
      ],
      ['sql', "derived from the old query by Spider's SQL parser, which is not reproduced here"],
    ]);
  });

  it('regenerates no list the rules do not reproduce for the old text (609: punkt split its query_toks)', () => {
    const query = 'SELECT T1.series_name FROM TV_Channel AS T1 JOIN Cartoon AS T2 ON T1.id = T2.Channel';
    const patch = new Map([['609', { query }]]);
    const parsed = JSON.parse(spiderCodec.apply(files, patch)['dev.json'] ?? '') as Example[];
    expect(parsed[609]?.query_toks).toBeUndefined();
    expect(parsed[609]?.query_toks_no_value).toEqual(
      [
        'select',
        't1',
        '.',
        'series_name',
        'from',
        'tv_channel',
        'as',
        't1',
        'join',
        'cartoon',
        'as',
        't2',
        'on',
      ].concat(['t1', '.', 'id', '=', 't2', '.', 'channel']),
    );
    expect(spiderCodec.derived?.(files, patch).get('609')).toEqual({
      regenerated: ['query_toks_no_value'],
      removed: [
        {
          field: 'query_toks',
          why: 'derived from the old query; these rules do not reproduce the shipped list from it',
        },
        { field: 'sql', why: "derived from the old query by Spider's SQL parser, which is not reproduced here" },
      ],
    });
  });

  it('a question regenerates question_toks only; a db_id removes sql only', () => {
    const question = 'What is the number of singers?';
    const q = spiderCodec.apply(files, new Map([['1', { question }]]));
    const e1 = dev[1] ?? {};
    // example 1's `sql` holds no floats (json.dump writes 20.0, JSON.stringify 20), so it re-serializes byte for byte
    const toks = ['What', 'is', 'the', 'number', 'of', 'singers', '?'];
    expect(q['dev.json']).toBe(devWith(new Map([[1, { ...e1, question, question_toks: toks }]])));
    expect(spiderCodec.derived?.(files, new Map([['1', { question }]])).get('1')).toEqual({
      regenerated: ['question_toks'],
      removed: [],
    });
    const d = spiderCodec.apply(files, new Map([['2', { db_id: 'singer' }]]));
    expect(d['dev.json']).toBe(devWith(new Map([[2, { ...without(dev[2] ?? {}, 'sql'), db_id: 'singer' }]])));
    expect(spiderCodec.derived?.(files, new Map([['2', { db_id: 'singer' }]])).get('2')?.removed[0]?.why).toMatch(
      /table and column ids index the old db_id's schema/,
    );
  });
});

describe('removing fields in place', () => {
  it('takes out key, value and one comma, for first, consecutive, last and all fields', () => {
    const text = '[{"a": 1, "b": [2], "c": {"d": 3}, "e": "x"}]';
    const el = arrayElementSpans(text)[0];
    if (!el) throw new Error('no element');
    const drop = (...fields: string[]) =>
      replaceSpans(
        text,
        fieldRemovals(el, new Set(fields)).map((span) => ({ span, text: '' })),
      );
    expect(drop('c')).toBe('[{"a": 1, "b": [2], "e": "x"}]');
    expect(drop('e')).toBe('[{"a": 1, "b": [2], "c": {"d": 3}}]');
    expect(drop('a')).toBe('[{"b": [2], "c": {"d": 3}, "e": "x"}]');
    expect(drop('a', 'b')).toBe('[{"c": {"d": 3}, "e": "x"}]');
    expect(drop('b', 'c')).toBe('[{"a": 1, "e": "x"}]');
    expect(drop('a', 'c', 'e')).toBe('[{"b": [2]}]');
    expect(drop('a', 'b', 'c', 'e')).toBe('[{}]');
  });
});

describe('a release of corrected Spider queries', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await testPlatform();
  }, 120_000);
  afterAll(() => p?.close());

  it('ships the regenerated lists, no sql and no other byte change, and names them in the changelog', {
    timeout: 120_000,
  }, async () => {
    const admin = await makeUser(p, { admin: true, name: 'admin' });
    await importBenchmarkDir(p, admin.actor, SPIDER);
    const proposer = await makeUser(p, { name: 'proposer' });
    const reviewer = await makeUser(p, { name: 'reviewer' });
    for (const u of [proposer, reviewer])
      await setMember(p, admin.actor, { team: 'maintainers', email: u.email, role: 'reviewer' });
    const fixes = curated.filter((c) => c.exampleId === '387' || c.exampleId === '500');
    const ids: Record<string, string> = {};
    for (const c of fixes) {
      const made = await proposeCorrection(p, proposer.actor, {
        benchmark: 'spider-dev',
        exampleId: c.exampleId,
        fields: c.fields,
        category: 'wrong_gold',
        rationale: `test: curated fix of ${c.exampleId}`,
      });
      await reviewCorrection(p, reviewer.actor, { id: made.id, decision: 'approve' });
      ids[c.exampleId] = made.id;
    }
    expect(await releaseVersion(p, admin.actor, { benchmark: 'spider-dev' })).toMatchObject({ version: 2 });

    const read = async (path: string) =>
      (await buffer((await versionFile(p, 'spider-dev', 2, path)).open())).toString('utf8');
    expect(await read('dev.json')).toBe(expectedDev(new Map(fixes.map((c) => [c.exampleId, c.fields.query]))));
    const gold = goldText.split('\n');
    for (const c of fixes) gold[Number(c.exampleId)] = `${c.fields.query}\t${dev[Number(c.exampleId)]?.db_id}`;
    expect(await read('dev_gold.sql')).toBe(gold.join('\n'));

    const [v2] = await p.db
      .select()
      .from(datasetVersions)
      .where(and(eq(datasetVersions.benchmarkId, 'spider-dev'), eq(datasetVersions.number, 2)));
    const log = v2?.changelog ?? '';
    expect(log).toContain(
      'Fields computed from the gold of a corrected example are regenerated where that is exact and removed otherwise',
    );
    for (const c of fixes) {
      const section = log.slice(log.indexOf(`## Example ${c.exampleId} `));
      expect(section).toContain(
        [
          `- \`query\`: \`${dev[Number(c.exampleId)]?.query}\` → \`${c.fields.query}\``,
          '- regenerated from the corrected gold: `query_toks`, `query_toks_no_value`',
          `- removed: ${SQL_REMOVED}`,
        ].join('\n'),
      );
      expect(section).toContain(`Correction \`${ids[c.exampleId]}\``);
    }
  });
});
