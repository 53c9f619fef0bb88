import { treebankTokens } from './treebank-tokens';

/**
 * Spider dev.json's token lists, regenerated from `query` and `question`. The shipped lists come
 * from two generations of Spider's tooling, told apart by the example's query (checked on all
 * 1,034 dev examples, see test/spider-tokens.test.ts):
 * - most examples: NLTK 3.3 `word_tokenize` for `query_toks` and `question_toks`;
 * - the examples Spider rewrote later, whose query is in lower case: `process_sql.tokenize`
 *   for `query_toks` (quoted values kept whole in double quotes, `!=` `>=` `<=` joined) and
 *   the question split on spaces (those questions were written pre-tokenized).
 * `query_toks_no_value` is one rule for all: NLTK tokens of the lowercased query with literals and
 * numbers as `value`, qualified names split at the dot, the final `;` dropped.
 * Where our rules are not known to be exact (punkt would split the text into sentences, characters
 * or shapes the data never shows) the answer is a refusal with the reason, never a guess.
 */
export type Tokens = { tokens: string[] } | { refused: string };

const refuse = (why: string): Tokens => ({ refused: why });

// String literals as the data writes them: non-empty, no quote of either kind inside.
const LITERAL = /'[^'"]+'|"[^'"]+"/g;

/**
 * Whether an example's lists were made by Spider's later tools: its query is lowercase outside
 * string literals (in Spider dev exactly the 44 all-lowercase queries; the literals are not looked
 * at so that a corrected value, e.g. 387's "Little Lever Urban District", keeps the example's kind).
 */
export function rewrittenBySpider(query: string): boolean {
  const bare = query.replace(LITERAL, '');
  return bare === bare.toLowerCase();
}
const OUTSIDE_LITERALS = /^[A-Za-z0-9 _.,;()*=<>!]*$/;
const INSIDE_LITERAL = /^[A-Za-z0-9 _.,()%!?&/:-]*$/;

/** Why the characters or the literals of a query are outside what the rules were checked on. */
function unsupportedShape(query: string): string | null {
  const bare = query.replace(LITERAL, ' ');
  if (/['"]/.test(bare)) return 'a quote that does not delimit a plain string literal';
  if (!OUTSIDE_LITERALS.test(bare)) return 'characters outside string literals that Spider dev never uses';
  for (const m of query.matchAll(LITERAL)) {
    if (!INSIDE_LITERAL.test(m[0].slice(1, -1))) return `characters in the literal ${m[0]} that the rules do not cover`;
    const before = query[m.index - 1];
    const after = query[m.index + m[0].length];
    if (before !== ' ' || (after !== undefined && !/[\s;)]/.test(after)))
      return `the literal ${m[0]} is not set off by spaces as Spider writes literals`;
  }
  return null;
}

/**
 * Whether NLTK's punkt would split the text into sentences (an end mark followed by space and more
 * text, or by one of punkt's closing characters): word_tokenize then tokenizes each sentence
 * alone, which these rules do not reproduce (e.g. dev examples 609/610, `... Beetle!";`).
 */
function punktMaySplit(text: string): boolean {
  return /[.?!](?:[?!)";}\]*:@'({[]|\s+\S)/.test(text);
}

/** `query_toks` as Spider made it for this example (`rewritten`: see `rewrittenBySpider`). */
export function spiderQueryToks(query: string, rewritten: boolean): Tokens {
  if (!query.trim()) return refuse('the query is empty');
  const shape = unsupportedShape(query);
  if (shape) return refuse(shape);
  return rewritten ? processSqlTokens(query) : nltkTokens(query);
}

function nltkTokens(text: string): Tokens {
  if (punktMaySplit(text)) return refuse('NLTK would split it into sentences at an end mark');
  return { tokens: treebankTokens(text) };
}

/** Spider's `process_sql.tokenize`: values kept whole in double quotes, the rest lowercased. */
function processSqlTokens(query: string): Tokens {
  if (query.replace(LITERAL, '') !== query.replace(LITERAL, '').toLowerCase())
    return refuse('upper case outside literals in an example Spider wrote in lower case');
  const values = new Map<string, string>();
  const keyed = query.replace(LITERAL, (lit, at: number) => {
    const key = `__val_${at}_${at + lit.length - 1}__`;
    values.set(key, `"${lit.slice(1, -1)}"`);
    return key;
  });
  if (punktMaySplit(keyed)) return refuse('NLTK would split it into sentences at an end mark');
  const toks = treebankTokens(keyed).map((t) => values.get(t.toLowerCase()) ?? t.toLowerCase());
  const out: string[] = [];
  for (const t of toks) {
    const prev = out.at(-1);
    if (t === '=' && (prev === '!' || prev === '>' || prev === '<')) out[out.length - 1] = `${prev}=`;
    else out.push(t);
  }
  return { tokens: out };
}

const NO_VALUE_TOKEN = /^(?:[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?|\d+|[=(),*<>!;])$/;

/** `query_toks_no_value`: lowercased NLTK tokens, literals and numbers as `value`. */
export function spiderQueryToksNoValue(query: string): Tokens {
  if (!query.trim()) return refuse('the query is empty');
  const shape = unsupportedShape(query);
  if (shape) return refuse(shape);
  // a placeholder no identifier can equal, so a column named `value` stays itself
  const bare = query.replace(LITERAL, ' __literal__ ').toLowerCase();
  if (punktMaySplit(bare)) return refuse('NLTK would split it into sentences at an end mark');
  const toks = treebankTokens(bare);
  const out: string[] = [];
  for (const [i, t] of toks.entries()) {
    if (t === '__literal__') {
      out.push('value');
      continue;
    }
    if (!NO_VALUE_TOKEN.test(t)) return refuse(`the token "${t}" has no known value-free form`);
    if (t === ';') {
      if (i !== toks.length - 1) return refuse('a ";" before the end of the query');
      continue;
    }
    if (/^\d+$/.test(t)) out.push('value');
    else out.push(...t.split(/(\.)/));
  }
  return { tokens: out };
}

/** `question_toks` as Spider made it for this example (`rewritten`: see `rewrittenBySpider`). */
export function spiderQuestionToks(question: string, rewritten: boolean): Tokens {
  if (!question.trim()) return refuse('the question is empty');
  if (!/^[ -~]*$/.test(question)) return refuse('characters outside printable ASCII');
  if (!rewritten) return nltkTokens(question);
  if (!/^\S+(?: \S+)*$/.test(question)) return refuse('spacing other than single spaces between words');
  return { tokens: question.split(' ') };
}
