/**
 * A word tokenizer close to Lucene's `StandardTokenizer` (Unicode UAX #29 word boundaries) for
 * Latin-script text. A token is a run of letters and digits; it continues across
 * - a MidLetter or MidNumLet character (`'`, `’`, `.`, `:`, `·`, …) between two letters
 *   (`don't`, `u.s.a`, `a:b`),
 * - a MidNum or MidNumLet character (`,`, `;`, `.`, `'`, …) between two digits (`3.14`, `1,000`),
 * - connector punctuation such as `_` (ExtendNumLet) next to a letter, digit or another connector,
 * - combining marks and format characters (soft hyphen, zero-width joiner), which never break a word.
 * Letters and digits join each other directly (`p53`, `2.5mg`); everything else, hyphens included,
 * separates tokens (`covid-19` → `covid`, `19`).
 *
 * Known differences from Lucene (none matter for English abstracts such as SciFact): CJK
 * ideographs, Hiragana and Southeast-Asian scripts are kept as runs instead of being split per
 * character or per syllable; emoji are dropped instead of emitted; Hebrew-letter and Katakana
 * special cases of UAX #29 are not modelled; a connector-only run (`___`) is dropped. Tokens longer
 * than 255 UTF-16 units are split every 255 units, as Lucene's default `maxTokenLength` does.
 */

/** ALetter: letters and letter-like numbers (Roman numerals are Alphabetic in Unicode). */
const LETTER = /[\p{L}\p{Nl}]/u;
const DIGIT = /[\p{Nd}]/u;
/** Extend and Format (WB4): attached to the preceding character, never a boundary. */
const EXTEND = /[\p{M}\p{Cf}]/u;
/** ExtendNumLet (WB13a/b): connector punctuation. */
const CONNECTOR = /[\p{Pc}]/u;
/** MidNumLet ∪ Single_Quote: may join two letters and two digits alike (WB6/7, WB11/12). */
const MID_NUM_LET = ['.', "'", '\u2018', '\u2019', '\u2024', '\ufe52', '\uff07', '\uff0e'];
/** MidLetter ∪ MidNumLet ∪ Single_Quote: may join two letters (WB6/7). */
const JOINS_LETTERS = new Set([
  ':',
  '\u00b7',
  '\u0387',
  '\u05f4',
  '\u2027',
  '\ufe13',
  '\ufe55',
  '\uff1a',
  ...MID_NUM_LET,
]);
/** MidNum ∪ MidNumLet ∪ Single_Quote: may join two digits (WB11/12). */
const JOINS_DIGITS = new Set([
  ',',
  ';',
  '\u037e',
  '\u0589',
  '\u060c',
  '\u060d',
  '\u066c',
  '\u07f8',
  '\u2044',
  '\ufe10',
  '\ufe14',
  '\ufe50',
  '\ufe54',
  '\uff0c',
  '\uff1b',
  ...MID_NUM_LET,
]);

/** Lucene's `StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH`. */
export const MAX_TOKEN_LENGTH = 255;

type Kind = 'letter' | 'digit' | 'connector' | 'extend' | 'other';

function kindOf(ch: string): Kind {
  // ASCII fast path: the corpus is almost all ASCII and the Unicode-property regexes are slow
  const c = ch.charCodeAt(0);
  if (ch.length === 1 && c < 128) {
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return 'letter';
    if (c >= 48 && c <= 57) return 'digit';
    return c === 95 ? 'connector' : 'other';
  }
  if (LETTER.test(ch)) return 'letter';
  if (DIGIT.test(ch)) return 'digit';
  if (EXTEND.test(ch)) return 'extend';
  if (CONNECTOR.test(ch)) return 'connector';
  return 'other';
}

/** Splits text into word tokens (original case), in order. */
export function tokenize(text: string): string[] {
  const chars = Array.from(text);
  const kinds = chars.map(kindOf);
  const tokens: string[] = [];
  let start = -1;
  // the kind of the last letter/digit/connector of the current token (extend characters are skipped)
  let last: Kind = 'other';
  const flush = (end: number) => {
    if (start >= 0) emit(tokens, chars.slice(start, end).join(''));
    start = -1;
    last = 'other';
  };
  for (let i = 0; i < chars.length; i++) {
    const k = kinds[i] ?? 'other';
    if (k === 'letter' || k === 'digit' || k === 'connector') {
      if (start < 0) start = i;
      last = k;
      continue;
    }
    if (k === 'extend') continue; // inside a token it is kept; outside, it is dropped with the gap
    if (start >= 0 && joins(chars[i] ?? '', last, nextWordKind(kinds, i + 1))) continue;
    flush(i);
  }
  flush(chars.length);
  return tokens;
}

/** The kind of the next non-extend character. */
function nextWordKind(kinds: Kind[], from: number): Kind {
  for (let j = from; j < kinds.length; j++) if (kinds[j] !== 'extend') return kinds[j] ?? 'other';
  return 'other';
}

function joins(ch: string, before: Kind, after: Kind): boolean {
  if (before === 'letter' && after === 'letter') return JOINS_LETTERS.has(ch);
  if (before === 'digit' && after === 'digit') return JOINS_DIGITS.has(ch);
  return false;
}

function emit(tokens: string[], token: string) {
  // a run of connectors alone is no word (Lucene emits no token for it)
  if (!/[\p{L}\p{Nl}\p{Nd}]/u.test(token)) return;
  for (let i = 0; i < token.length; i += MAX_TOKEN_LENGTH) tokens.push(token.slice(i, i + MAX_TOKEN_LENGTH));
}
