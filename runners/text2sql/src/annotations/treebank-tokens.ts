/**
 * NLTK 3.3's `word_tokenize` for one sentence: the Treebank word tokenizer with NLTK's "improved"
 * quote and final-period rules, as Spider ran it to make `query_toks`. Only the regular
 * expressions, in NLTK's order; sentence splitting (punkt) is not reproduced, so callers must only
 * use this on text that punkt keeps as one sentence (see `spider-tokens.ts`).
 */

type Rule = [RegExp, string];

const STARTING_QUOTES: Rule[] = [
  [/([«“‘„]|[`]+)/g, ' $1 '],
  [/^"/g, '``'],
  [/(``)/g, ' $1 '],
  [/([ ([{<])("|'{2})/g, '$1 `` '],
];

const PUNCTUATION: Rule[] = [
  [/([^.])(\.)([\])}>"'»”’ ]*)\s*$/g, '$1 $2 $3 '],
  [/([:,])([^\d])/g, ' $1 $2'],
  [/([:,])$/g, ' $1 '],
  [/\.\.\./g, ' ... '],
  [/[;@#$%&]/g, ' $& '],
  [/([^.])(\.)([\])}>"']*)\s*$/g, '$1 $2$3 '],
  [/[?!]/g, ' $& '],
  [/([^'])' /g, "$1 ' "],
];

const PARENS_BRACKETS: Rule = [/[\][(){}<>]/g, ' $& '];
const DOUBLE_DASHES: Rule = [/--/g, ' -- '];

const ENDING_QUOTES: Rule[] = [
  [/([»”’])/g, ' $1 '],
  [/"/g, " '' "],
  [/(\S)('')/g, '$1 $2 '],
  [/([^' ])('[sS]|'[mM]|'[dD]|') /g, '$1 $2 '],
  [/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /g, '$1 $2 '],
];

const CONTRACTIONS: RegExp[] = [
  /\b(can)(not)\b/gi,
  /\b(d)('ye)\b/gi,
  /\b(gim)(me)\b/gi,
  /\b(gon)(na)\b/gi,
  /\b(got)(ta)\b/gi,
  /\b(lem)(me)\b/gi,
  /\b(mor)('n)\b/gi,
  /\b(wan)(na)\s/gi,
  / ('t)(is)\b/gi,
  / ('t)(was)\b/gi,
];

const run = (text: string, rules: Rule[]) => rules.reduce((t, [re, to]) => t.replace(re, to), text);

/** The tokens NLTK 3.3 `word_tokenize` gives for one sentence. */
export function treebankTokens(sentence: string): string[] {
  let text = run(sentence, STARTING_QUOTES);
  text = run(text, PUNCTUATION);
  text = run(text, [PARENS_BRACKETS, DOUBLE_DASHES]);
  text = run(` ${text} `, ENDING_QUOTES);
  for (const re of CONTRACTIONS) text = text.replace(re, ' $1 $2 ');
  return text.split(/\s+/).filter(Boolean);
}
