// A small SQLite-flavoured lexer: just enough to find statement boundaries and bare keywords while leaving
// string literals, quoted identifiers ('…', "…", `…`, […]) and comments (-- …, /* … */) alone.

type TokenKind = 'space' | 'comment' | 'quoted' | 'word' | 'semicolon' | 'other';

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

const isSpace = (ch: string) => /\s/.test(ch);
// Identifier/keyword characters as sqlparse's `[0-9_\w][_$#\w]*`: `distinct_id` or `x$distinct` are one word.
const isWordChar = (ch: string) => /[\p{L}\p{N}_$#]/u.test(ch);
const isWordStart = (ch: string) => /[\p{L}\p{N}_]/u.test(ch);

function* tokenize(sql: string): Generator<Token> {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const start = i;
    const ch = sql.charAt(i);
    const next = sql.charAt(i + 1);
    let kind: TokenKind;
    if (isSpace(ch)) {
      while (i < n && isSpace(sql.charAt(i))) i++;
      kind = 'space';
    } else if (ch === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol;
      kind = 'comment';
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
      kind = 'comment';
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      i++;
      for (;;) {
        const at = sql.indexOf(close, i);
        if (at === -1) {
          i = n; // unterminated: the rest is inside the literal
          break;
        }
        i = at + 1;
        // A doubled quote is an escaped quote ('it''s'); brackets have no escape.
        if (close === ']' || sql.charAt(i) !== close) break;
        i++;
      }
      kind = 'quoted';
    } else if (ch === ';') {
      i++;
      kind = 'semicolon';
    } else if (isWordStart(ch) || ((ch === ':' || ch === '@' || ch === '$' || ch === '#') && isWordChar(next))) {
      // Parameters (:name, @name, $name) are consumed whole so their names are never taken for keywords.
      const parameter = !isWordStart(ch);
      i++;
      while (i < n && isWordChar(sql.charAt(i))) i++;
      kind = parameter ? 'other' : 'word';
    } else {
      i++;
      kind = 'other';
    }
    yield { kind, start, end: i };
  }
}

interface Statement {
  text: string;
  /** Has something besides whitespace and comments. */
  hasContent: boolean;
}

function statements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let hasContent = false;
  for (const token of tokenize(sql)) {
    if (token.kind === 'semicolon') {
      out.push({ text: sql.slice(start, token.start), hasContent });
      start = token.end;
      hasContent = false;
    } else if (token.kind !== 'space' && token.kind !== 'comment') {
      hasContent = true;
    }
  }
  out.push({ text: sql.slice(start), hasContent });
  return out;
}

/** The statements of `sql` that hold more than whitespace and comments, trimmed, without their `;`. */
export function splitStatements(sql: string): string[] {
  return statements(sql)
    .filter((s) => s.hasContent)
    .map((s) => s.text.trim());
}

/**
 * The first non-empty statement of `sql` (split on `;` outside quotes and comments), trimmed, without its `;`;
 * `''` when there is none.
 */
export function firstStatement(sql: string): string {
  return splitStatements(sql)[0] ?? '';
}

/** Whether `sql` holds more than one non-empty statement. */
export function isMultiStatement(sql: string): boolean {
  return splitStatements(sql).length > 1;
}

/**
 * Removes every bare DISTINCT keyword (any case; `SELECT DISTINCT a`, `count(DISTINCT x)`), leaving the
 * surrounding whitespace, literals, quoted identifiers, comments and longer words such as `distinct_id` as they
 * are: the same text test-suite-sql-eval's `remove_distinct` produces, minus its truncation to the first statement.
 */
export function removeDistinct(sql: string): string {
  let out = '';
  for (const token of tokenize(sql)) {
    const text = sql.slice(token.start, token.end);
    if (token.kind === 'word' && text.toLowerCase() === 'distinct') continue;
    out += text;
  }
  return out;
}
