import { sqlTokens } from './sql-tokens';

/** What better-sqlite3 reports about a prepared statement. */
export interface StatementFlags {
  /** the statement returns rows */
  reader: boolean;
  /** sqlite3_stmt_readonly(): the statement does not write the database file directly */
  readonly: boolean;
}

/**
 * Statements sqlite3_stmt_readonly() calls read-only although they must never run for a
 * prediction: ATTACH/DETACH (reach other files), PRAGMA (changes connection state; a few setters
 * even pass as readonly), VACUUM (VACUUM INTO writes a new file).
 */
const FORBIDDEN_LEADING = new Set(['attach', 'detach', 'pragma', 'vacuum']);
const FORBIDDEN_FUNCTIONS = new Set(['load_extension']);
const FORBIDDEN_TEXT = /attach|detach|pragma|vacuum|load_extension/i;

/**
 * Why a single prepared statement must not run, or null when it may. Only statements that both
 * return rows and are read-only pass: BEGIN/SAVEPOINT/REINDEX are "readonly" to SQLite, but a
 * prediction that returns no rows has no business running, and a BEGIN would leak a transaction
 * into the cached connection.
 */
export function refusalReason(sql: string, flags: StatementFlags): string | null {
  // without any of the words in its text, no token can be one of them: skip the lexer
  const tokens = FORBIDDEN_TEXT.test(sql) ? sqlTokens(sql) : [];
  let k = 0;
  // EXPLAIN [QUERY PLAN] <stmt> does not run <stmt>, but judge the statement it wraps anyway
  if (tokens[k] === 'explain') k++;
  if (tokens[k] === 'query' && tokens[k + 1] === 'plan') k += 2;
  const leading = tokens[k];
  if (leading !== undefined && FORBIDDEN_LEADING.has(leading))
    return `${leading.toUpperCase()} statements are not allowed`;
  for (let t = 0; t < tokens.length; t++) {
    const word = tokens[t];
    if (word !== undefined && FORBIDDEN_FUNCTIONS.has(word) && tokens[t + 1] === '(') return `${word}() is not allowed`;
  }
  if (!flags.readonly) return 'only read-only statements may run (this one would write)';
  if (!flags.reader) return 'only statements that return rows may run';
  return null;
}
