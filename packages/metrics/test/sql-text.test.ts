import { describe, expect, it } from 'vitest';
import { firstStatement, isMultiStatement, removeDistinct, splitStatements } from '../src/sql-text';

describe('removeDistinct', () => {
  // Expected strings are what test-suite-sql-eval's remove_distinct (sqlparse 0.4.2) returns for the same input:
  // the DISTINCT token goes, the whitespace around it stays.
  it.each([
    ['SELECT DISTINCT a FROM t', 'SELECT  a FROM t'],
    ['select count(DISTINCT x) from t', 'select count( x) from t'],
    ['select count( distinct x) from t', 'select count(  x) from t'],
    ['SELECT Distinct\na FROM t', 'SELECT \na FROM t'],
    ['SELECT DISTINCT(a) FROM t', 'SELECT (a) FROM t'],
    ['SELECT COUNT(*) FROM (SELECT DISTINCT a FROM t)', 'SELECT COUNT(*) FROM (SELECT  a FROM t)'],
    [
      "SELECT a FROM t WHERE b = 'x' UNION SELECT DISTINCT c FROM u",
      "SELECT a FROM t WHERE b = 'x' UNION SELECT  c FROM u",
    ],
    ['SELECT t.distinct FROM t', 'SELECT t. FROM t'],
  ])('%j → %j', (sql, expected) => {
    expect(removeDistinct(sql)).toBe(expected);
  });

  it.each([
    'SELECT distinct_id, DISTINCT_ID FROM t',
    "SELECT 'distinct' FROM t WHERE b = 'a;b'",
    "SELECT 'it''s distinct' FROM t",
    'SELECT "distinct" FROM t',
    'SELECT `distinct` FROM t',
    'SELECT [distinct] FROM t',
    'SELECT a FROM t -- distinct; x\n WHERE 1',
    'SELECT /* distinct ; */ a FROM t',
    'SELECT x$distinct, distinct$x FROM t',
    'SELECT :distinct, @distinct, $distinct FROM t',
    'SELECT a FROM t AS distinctive',
    'SELECT 1distinct FROM t',
  ])('leaves %j alone', (sql) => {
    expect(removeDistinct(sql)).toBe(sql);
  });

  it('removes DISTINCT in every statement (truncating is firstStatement’s job)', () => {
    expect(removeDistinct('SELECT DISTINCT a FROM t; SELECT DISTINCT b FROM u')).toBe(
      'SELECT  a FROM t; SELECT  b FROM u',
    );
    // the reference returns "SELECT a FROM t; " for this input: the same statement
    expect(removeDistinct(firstStatement('SELECT a FROM t; SELECT DISTINCT b FROM u'))).toBe('SELECT a FROM t');
  });
});

describe('firstStatement', () => {
  it.each([
    ["SELECT 'a;b' FROM t; DROP TABLE t", "SELECT 'a;b' FROM t"],
    ["SELECT 'it''s; here' FROM t; SELECT 2", "SELECT 'it''s; here' FROM t"],
    ['SELECT "a;b" FROM t;', 'SELECT "a;b" FROM t'],
    ['SELECT `a;b`, [c;d] FROM t; SELECT 2', 'SELECT `a;b`, [c;d] FROM t'],
    ['SELECT a -- c;omment\nFROM t; SELECT 2', 'SELECT a -- c;omment\nFROM t'],
    ['SELECT /* ; */ 1 ; SELECT 2', 'SELECT /* ; */ 1'],
    ['  SELECT 1 ;  ', 'SELECT 1'],
    ['SELECT 1;\n-- trailing note', 'SELECT 1'],
    [';; SELECT 1', 'SELECT 1'], // empty statements are skipped
    ["SELECT 'abc; def", "SELECT 'abc; def"], // an unterminated literal runs to the end
    ['SELECT 1 /* unterminated ; comment', 'SELECT 1 /* unterminated ; comment'],
    ['', ''],
    [' ; -- nothing', ''],
  ])('%j → %j', (sql, expected) => {
    expect(firstStatement(sql)).toBe(expected);
  });
});

describe('isMultiStatement / splitStatements', () => {
  it('counts only statements with content', () => {
    expect(isMultiStatement('SELECT 1; SELECT 2')).toBe(true);
    expect(isMultiStatement('SELECT 1;')).toBe(false);
    expect(isMultiStatement("SELECT ';'")).toBe(false);
    expect(isMultiStatement('SELECT 1; /* c */ ;')).toBe(false);
    expect(isMultiStatement('SELECT 1; -- SELECT 2')).toBe(false);
    expect(splitStatements("SELECT 1; SELECT ';' ;\n")).toEqual(['SELECT 1', "SELECT ';'"]);
  });
});
