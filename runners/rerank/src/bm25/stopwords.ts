/**
 * Lucene's English stop words: `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET` (the same 33 words as the
 * historical `StopAnalyzer.ENGLISH_STOP_WORDS_SET`), which Anserini's `DefaultEnglishAnalyzer` and so
 * Pyserini's BEIR indexes use. Source: lucene/analysis/common/src/java/org/apache/lucene/analysis/en/
 * EnglishAnalyzer.java (Lucene 8.x and 9.x). They are matched after lower-casing and before stemming.
 */
export const LUCENE_ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
]);
