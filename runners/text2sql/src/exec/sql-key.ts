/**
 * A key under which queries SQLite reads alike share one result: `SELECT COUNT(*) FROM Singer`,
 * `select count(*) from singer` and `SELECT count( * )\n  FROM singer` are one query to SQLite's
 * tokenizer, which folds ASCII case in keywords and identifiers (sqlite3StrICmp) and skips
 * whitespace. Of the 2,568 distinct queries of Spider dev's gold and three bundled systems, 1,804
 * keys remain: the systems' predictions often differ from their gold, and from each other, only so.
 *
 * Outside string literals, quoted identifiers ("x", [x], `x`) and comments, which are kept as
 * written: A–Z become a–z (only ASCII: SQLite folds nothing else), every run of SQLite's
 * whitespace becomes one space, none next to `(`, `)` or `,` (each is a token of its own whatever
 * surrounds it), none at either end. Nothing is ever joined that was apart, so `- -1` stays apart.
 *
 * What a key does not cover is the caller's: the names of result columns, which SQLite takes
 * from the text of an expression (`count(*)` and `COUNT(*)`). Query plans name tables and aliases
 * as written, so an EXPLAIN gets no key (null).
 */
export function sqlKey(sql: string): string | null {
  const key = sql.replace(
    TOKENS,
    (_, kept?: string, upper?: string, dropped?: string) => kept ?? (upper ? upper.toLowerCase() : dropped ? '' : ' '),
  );
  return EXPLAIN.test(key) ? null : key;
}

/** SQLite's whitespace: space, tab, newline, form feed, carriage return */
const S = '[ \\t\\n\\f\\r]+';
/**
 * One pass of the regular expression engine (the SQL workers run without V8's optimizing compiler,
 * where a loop over characters costs several times more), matching, left to right:
 * 1. what is kept as written: '…' "…" `…` (a doubled quote is an escaped one), […], a line comment
 *    with the newline that ends it, a block comment; one left open runs to the end;
 * 2. ASCII capitals, folded;
 * 3. whitespace that goes: at either end, or next to ( ) , — the characters around whitespace
 *    outside (1) are never inside a literal, since (1) takes each literal whole;
 * 4. other whitespace, which becomes one space.
 */
const TOKENS = new RegExp(
  [
    `('(?:[^']|'')*'?|"(?:[^"]|"")*"?|\`[^\`]*\`?|\\[[^\\]]*\\]?|--[^\\n]*\\n?|/\\*[\\s\\S]*?(?:\\*/|$))`,
    '([A-Z]+)',
    `(^${S}|${S}$|(?<=[(),])${S}|${S}(?=[(),]))`,
    S,
  ].join('|'),
  'g',
);
/** an EXPLAIN anywhere (in a literal too: that costs a key, never a wrong result) */
const EXPLAIN = /(?:^|[^a-z0-9_$])explain(?:[^a-z0-9_$]|$)/;
