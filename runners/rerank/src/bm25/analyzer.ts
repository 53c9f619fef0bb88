import { stemmer } from 'stemmer';
import { LUCENE_ENGLISH_STOP_WORDS } from './stopwords';
import { tokenize } from './tokenizer';

/**
 * The analysis chain of Lucene's `EnglishAnalyzer` as Anserini's `DefaultEnglishAnalyzer` builds it
 * (and so Pyserini's BEIR indexes): StandardTokenizer → EnglishPossessiveFilter → LowerCaseFilter →
 * StopFilter(ENGLISH_STOP_WORDS_SET) → PorterStemFilter. Index and queries go through the same chain.
 *
 * Porter stemming comes from the `stemmer` package, which implements Porter's 1980 algorithm
 * ("Porter 1", not Snowball's Porter2) including the departures of Porter's own reference code
 * (`bli` → `ble`, `logi` → `log` in step 2) — the same algorithm as Lucene's `PorterStemmer`, a port
 * of that reference code. Words shorter than 3 characters are left alone by both.
 */
export const ANALYZER_DESCRIPTION = {
  name: 'lucene-english',
  tokenizer: 'standard (UAX #29 word boundaries, Latin-script subset; hyphens split, 255-char max)',
  filters: ['english-possessive', 'lowercase', 'stop(lucene-english-33)', 'porter(stemmer@2)'],
} as const;

/** EnglishPossessiveFilter: drops a trailing `'s`, `’s` or `＇s` (either case of the `s`). */
export function stripPossessive(token: string): string {
  if (token.length < 2) return token;
  const apostrophe = token[token.length - 2];
  const s = token[token.length - 1];
  if ((s === 's' || s === 'S') && (apostrophe === "'" || apostrophe === '\u2019' || apostrophe === '\uff07')) {
    return token.slice(0, -2);
  }
  return token;
}

/** The index/query terms of a text, in order (stop words removed, so positions are not kept). */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    const word = stripPossessive(token).toLowerCase();
    if (word.length === 0 || LUCENE_ENGLISH_STOP_WORDS.has(word)) continue;
    terms.push(stemmer(word));
  }
  return terms;
}
