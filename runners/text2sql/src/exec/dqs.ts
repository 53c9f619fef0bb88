/**
 * SQLite's "double-quoted string literal" fallback, emulated. Stock SQLite builds (the ones Python's
 * sqlite3 module, and so the Spider and BIRD reference evaluators, use) read `"France"` as an
 * identifier and, when no column of that name exists, as the string 'France'. better-sqlite3 is
 * compiled with SQLITE_DQS=0 and refuses instead, with the message below. Spider's own gold queries
 * rely on the fallback (213 of the 1,034 dev questions), so without it they would be unscorable.
 *
 * `dqsRewrite` turns the first double-quoted token with that name (outside comments and
 * single-quoted strings) into a single-quoted string, as SQLite would have read it; the caller
 * prepares again, once per unresolved name.
 */
const DQS_ERROR = /^no such column: "((?:[^"]|"")*)" - should this be a string literal in single-quotes\?$/;

/** The unresolved name when `message` is SQLite's DQS refusal, else null. */
export function dqsName(message: string): string | null {
  const m = DQS_ERROR.exec(message);
  return m?.[1] === undefined ? null : m[1].replaceAll('""', '"');
}

/** `sql` with the first `"name"` token as the string literal 'name', or null if there is none. */
export function dqsRewrite(sql: string, name: string): string | null {
  const n = sql.length;
  let i = 0;
  const skipTo = (close: string) => {
    // from the opening quote to just past the closing one; a doubled quote is an escaped quote
    i++;
    while (i < n) {
      if (sql[i] === close) {
        if (close !== ']' && sql[i + 1] === close) {
          i += 2;
          continue;
        }
        i++;
        return;
      }
      i++;
    }
  };
  while (i < n) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '`') {
      skipTo(c);
    } else if (c === '[') {
      skipTo(']');
    } else if (c === '"') {
      const start = i;
      skipTo('"');
      const text = sql.slice(start + 1, i - 1).replaceAll('""', '"');
      if (text === name) return `${sql.slice(0, start)}'${text.replaceAll("'", "''")}'${sql.slice(i)}`;
    } else {
      i++;
    }
  }
  return null;
}
