import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDistinct } from '@trueboard/metrics';
import { describe, expect, it } from 'vitest';
import { ConnectionCache } from '../src/exec/connection-cache';
import { runQuery } from '../src/exec/run-query';
import { sqlKey } from '../src/exec/sql-key';
import { loadSpider } from '../src/formats/spider';
import { importLines } from '../src/predictions';
import { SPIDER } from './fixture';

describe('sqlKey', () => {
  it('folds ASCII case and whitespace outside literals, quoted names and comments', () => {
    const key = sqlKey('SELECT COUNT(*) FROM Singer');
    expect(sqlKey('select count(*) from singer')).toBe(key);
    expect(sqlKey('  SELECT\tcount( * )\n\n  FROM   singer ')).toBe(key);
    expect(sqlKey('SELECT name , age FROM t WHERE x IN ( 1 , 2 )')).toBe(
      sqlKey('select name,age from t where x in(1,2)'),
    );
    // literals and quoted names are data or exact names: never folded, their spaces kept
    expect(sqlKey("SELECT * FROM t WHERE c = 'France'")).not.toBe(sqlKey("SELECT * FROM t WHERE c = 'france'"));
    expect(sqlKey("SELECT * FROM t WHERE c = 'a  b'")).not.toBe(sqlKey("SELECT * FROM t WHERE c = 'a b'"));
    expect(sqlKey("SELECT 'it''s', \"A\"")).toBe("select 'it''s',\"A\"");
    expect(sqlKey('SELECT "Name" FROM t')).not.toBe(sqlKey('SELECT "name" FROM t'));
    expect(sqlKey('SELECT [Name] FROM t')).not.toBe(sqlKey('SELECT [name] FROM t'));
    expect(sqlKey('SELECT `Name` FROM t')).not.toBe(sqlKey('SELECT `name` FROM t'));
    expect(sqlKey("SELECT X'AB'")).toBe("select x'AB'");
    // a line comment ends at its newline: what follows it must not join it
    expect(sqlKey('SELECT 1 -- one\nFROM t')).not.toBe(sqlKey('SELECT 1 -- one FROM t'));
    expect(sqlKey('SELECT 1 /* A */ FROM t')).toBe('select 1 /* A */ from t');
    // nothing apart is joined: `- -1` is not the comment `--1`
    expect(sqlKey('SELECT 1 - -1')).toBe('select 1 - -1');
    // SQLite folds only ASCII in names
    expect(sqlKey('SELECT * FROM Été')).not.toBe(sqlKey('SELECT * FROM été'));
    expect(sqlKey('SELECT * FROM ÉTÉ')).toBe('select * from ÉtÉ');
    // unterminated quotes run to the end, as written
    expect(sqlKey("SELECT 'Open")).toBe("select 'Open");
  });

  it('gives EXPLAIN no key (its plan names tables and aliases as written)', () => {
    expect(sqlKey('EXPLAIN QUERY PLAN SELECT * FROM singer AS T1')).toBeNull();
    expect(sqlKey('/* c */ explain select 1')).toBeNull();
    expect(sqlKey('SELECT explained FROM t')).not.toBeNull();
  });

  it('on Spider dev, texts with one key give the same rows, and most predictions share one', () => {
    const ds = loadSpider(SPIDER);
    const texts = new Map<string, Set<string>>();
    const add = (dbId: string, sql: string) => {
      const byDb = texts.get(dbId) ?? new Set();
      byDb.add(sql);
      texts.set(dbId, byDb);
    };
    let raw = 0;
    for (const e of ds.examples) add(e.dbId, e.goldSql);
    for (const f of ['codes-1b.sql', 'dts-sql-mistral.sql', 'dail-sql-gpt4.sql']) {
      const preds = importLines(readFileSync(join(SPIDER, 'baselines', f), 'utf8'), ds, f);
      for (const e of ds.examples) {
        const p = preds.get(e.id);
        if (p) add(e.dbId, p);
      }
    }
    for (const byDb of texts.values()) raw += byDb.size;
    // the spider forms the evaluator also runs
    for (const [dbId, byDb] of texts) for (const sql of [...byDb]) add(dbId, removeDistinct(sql));

    const connections = new ConnectionCache(32);
    const caps = { maxRows: 100_000, maxBytes: 16 * 1024 * 1024 };
    let keys = 0;
    let shared = 0;
    try {
      for (const [dbId, byDb] of texts) {
        const groups = new Map<string, string[]>();
        for (const sql of byDb) {
          const key = sqlKey(sql);
          if (key === null) continue;
          groups.set(key, [...(groups.get(key) ?? []), sql]);
        }
        keys += groups.size;
        for (const group of groups.values()) {
          if (group.length < 2) continue;
          shared += group.length - 1;
          const [first, ...rest] = group.map((sql) => ({ sql, o: runQuery(connections, ds.dbPath(dbId), sql, caps) }));
          for (const other of rest) {
            const pair = `${dbId}: ${first?.sql} | ${other.sql}`;
            expect(other.o.ok, pair).toBe(first?.o.ok);
            if (first?.o.ok && other.o.ok) expect(other.o.rows, pair).toEqual(first.o.rows);
          }
        }
      }
    } finally {
      connections.closeAll();
    }
    // counted independently (a Python script over the same files): 2,568 distinct texts of gold
    // and predictions by database; with their spider forms, a third of all texts share a key
    expect(raw).toBe(2568);
    expect(shared).toBeGreaterThan(raw / 4);
    expect(keys + shared).toBeGreaterThan(raw);
  });
});
