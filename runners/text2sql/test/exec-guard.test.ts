import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionCache } from '../src/exec/connection-cache';
import { sqlTokens } from '../src/exec/sql-tokens';
import { refusalReason } from '../src/exec/statement-guard';
import { SPIDER } from './fixture';

const DB = `${SPIDER}/database`;
const SELECTING = { reader: true, readonly: true };

describe('sqlTokens', () => {
  it('drops comments and string literals and unquotes identifiers', () => {
    expect(
      sqlTokens(`SELECT "Name", [a b], \`c\`\`d\` FROM t -- pragma\n/* attach */ WHERE x = 'it''s load_extension('`),
    ).toEqual(['select', 'name', ',', 'a b', ',', 'c`d', 'from', 't', 'where', 'x', '=']);
  });
});

describe('refusalReason', () => {
  it('lets a plain SELECT through, whatever its literals say', () => {
    expect(refusalReason("SELECT * FROM t WHERE note = 'PRAGMA load_extension(x)'", SELECTING)).toBeNull();
    expect(refusalReason('WITH a AS (SELECT 1) SELECT * FROM a', SELECTING)).toBeNull();
    expect(refusalReason("SELECT * FROM pragma_table_info('t')", SELECTING)).toBeNull();
  });

  it('refuses PRAGMA, ATTACH, DETACH and VACUUM even when SQLite calls them read-only', () => {
    expect(refusalReason('PRAGMA user_version', SELECTING)).toBe('PRAGMA statements are not allowed');
    expect(refusalReason('  /* hi */ pragma table_info(t)', SELECTING)).toMatch(/PRAGMA/);
    expect(refusalReason('EXPLAIN QUERY PLAN PRAGMA user_version', SELECTING)).toMatch(/PRAGMA/);
    expect(refusalReason("ATTACH 'x.db' AS x", { reader: false, readonly: true })).toMatch(/ATTACH/);
    expect(refusalReason('DETACH x', { reader: false, readonly: true })).toMatch(/DETACH/);
    expect(refusalReason("VACUUM INTO 'y.db'", { reader: false, readonly: false })).toMatch(/VACUUM/);
  });

  it('refuses load_extension however it is quoted', () => {
    expect(refusalReason("SELECT load_extension('x')", SELECTING)).toMatch(/load_extension/);
    expect(refusalReason(`SELECT "LOAD_EXTENSION" ('x')`, SELECTING)).toBe('load_extension() is not allowed');
  });

  it('refuses writers and statements that return no rows', () => {
    expect(refusalReason('DELETE FROM t', { reader: false, readonly: false })).toBe(
      'only read-only statements may run (this one would write)',
    );
    expect(refusalReason('BEGIN', { reader: false, readonly: true })).toBe('only statements that return rows may run');
  });

  it('agrees with the flags better-sqlite3 reports', () => {
    const db = new Database(`${DB}/pets_1/pets_1.sqlite`, { readonly: true, fileMustExist: true });
    try {
      const flags = (sql: string) => {
        const s = db.prepare(sql);
        return { reader: s.reader, readonly: s.readonly };
      };
      // the surprises: these pass sqlite3_stmt_readonly(), so the flags alone are not enough
      expect(flags("ATTACH 'x.db' AS x")).toEqual({ reader: false, readonly: true });
      expect(flags('PRAGMA writable_schema=1')).toEqual({ reader: false, readonly: true });
      expect(flags('PRAGMA journal_mode=WAL')).toEqual({ reader: true, readonly: false });
      expect(flags('PRAGMA user_version')).toEqual({ reader: true, readonly: true });
      expect(flags("SELECT load_extension('x')")).toEqual({ reader: true, readonly: true });
      // …and better-sqlite3 keeps extension loading off for SQL: the call fails at run time
      expect(() => db.prepare("SELECT load_extension('x')").get()).toThrow(/not authorized/);
      for (const [sql, reason] of [
        ['PRAGMA user_version', 'PRAGMA statements are not allowed'],
        ["ATTACH 'x.db' AS x", 'ATTACH statements are not allowed'],
        ["SELECT load_extension('x')", 'load_extension() is not allowed'],
        ['PRAGMA journal_mode=WAL', 'PRAGMA statements are not allowed'],
      ] as const) {
        expect(refusalReason(sql, flags(sql)), sql).toBe(reason);
      }
    } finally {
      db.close();
    }
  });
});

describe('ConnectionCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-exec-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the most recently used connections and closes the rest', () => {
    const cache = new ConnectionCache(2);
    const a = cache.get(`${DB}/pets_1/pets_1.sqlite`);
    const b = cache.get(`${DB}/concert_singer/concert_singer.sqlite`);
    expect(cache.get(`${DB}/pets_1/pets_1.sqlite`)).toBe(a);
    cache.get(`${DB}/world_1/world_1.sqlite`); // evicts concert_singer, the least recently used
    expect(cache.size).toBe(2);
    expect(b.open).toBe(false);
    expect(a.open).toBe(true);
    expect(a.readonly).toBe(true);
    expect(() => cache.get(join(dir, 'missing.sqlite'))).toThrow(/unable to open/);
    cache.closeAll();
    expect(a.open).toBe(false);
  });
});
