/**
 * The words and punctuation of an SQL string, with comments and string literals dropped and
 * quoted identifiers ("x", [x], `x`) unquoted, lowercased. Just enough lexing to find keywords and
 * function names the way SQLite's tokenizer would, without being fooled by text inside literals.
 */
export function sqlTokens(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = sql.length;
  const skipQuoted = (close: string): string => {
    // doubled closing quote is an escaped quote ('' "" ``); ] has no escape
    let text = '';
    i++;
    while (i < n) {
      const c = sql[i] ?? '';
      if (c === close) {
        if (close !== ']' && sql[i + 1] === close) {
          text += c;
          i += 2;
          continue;
        }
        i++;
        return text;
      }
      text += c;
      i++;
    }
    return text;
  };
  while (i < n) {
    const c = sql[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'") {
      skipQuoted("'");
    } else if (c === '"' || c === '`') {
      out.push(skipQuoted(c).toLowerCase());
    } else if (c === '[') {
      out.push(skipQuoted(']').toLowerCase());
    } else if (/[\p{L}_$\d]/u.test(c)) {
      let j = i + 1;
      while (j < n && /[\p{L}_$\d]/u.test(sql[j] ?? '')) j++;
      out.push(sql.slice(i, j).toLowerCase());
      i = j;
    } else {
      out.push(c);
      i++;
    }
  }
  return out;
}
