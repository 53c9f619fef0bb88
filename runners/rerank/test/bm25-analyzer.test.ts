import { stemmer } from 'stemmer';
import { describe, expect, it } from 'vitest';
import { analyze, LUCENE_ENGLISH_STOP_WORDS, stripPossessive, tokenize } from '../src/bm25/index';

// Expected values are worked by hand from Lucene's StandardTokenizer (UAX #29), EnglishPossessiveFilter,
// the 33 ENGLISH_STOP_WORDS_SET words and Porter's 1980 paper (its own examples for the stemmer cases).

describe('tokenize (StandardTokenizer-like)', () => {
  it('splits on hyphens and spaces, keeps decimals, thousands, acronyms and letter-digit words whole', () => {
    expect(tokenize("The patient's IL-6 levels were 3.14 and 1,000 in the U.S.A.")).toEqual([
      'The',
      "patient's",
      'IL',
      '6',
      'levels',
      'were',
      '3.14',
      'and',
      '1,000',
      'in',
      'the',
      'U.S.A',
    ]);
    expect(tokenize('COVID-19 p53 2.5mg (n=12) ratio 1:2 a:b foo_bar ___ x--y')).toEqual([
      'COVID',
      '19',
      'p53',
      '2.5mg',
      'n',
      '12',
      'ratio',
      '1',
      '2',
      'a:b',
      'foo_bar',
      'x',
      'y',
    ]);
  });

  it('joins letters across apostrophes but not digits across a comma followed by a space or a letter', () => {
    expect(tokenize("don't dogs' 1, 2 3,a")).toEqual(["don't", 'dogs', '1', '2', '3', 'a']);
  });

  it('keeps accented letters and combining marks inside words, and soft hyphens do not split', () => {
    expect(tokenize('café nai\u0308ve co\u00adoperate Ⅻ ½')).toEqual(['café', 'nai\u0308ve', 'co\u00adoperate', 'Ⅻ']);
  });

  it('splits a token longer than 255 characters as Lucene does', () => {
    const tokens = tokenize('a'.repeat(300));
    expect(tokens.map((t) => t.length)).toEqual([255, 45]);
  });
});

describe('analyze (EnglishAnalyzer chain)', () => {
  it('uses exactly the 33 Lucene English stop words', () => {
    expect(LUCENE_ENGLISH_STOP_WORDS.size).toBe(33);
    expect(analyze('This is not such a thing; they will be there, then their')).toEqual(['thing']);
    // common words outside Lucene's list are kept (NLTK's list would drop them)
    expect(analyze('we were very')).toEqual(['we', 'were', 'veri']);
  });

  it('drops stop words regardless of case, before stemming', () => {
    // "THE" lowercases to a stop word; "thes" is no stop word and stems to "the"
    expect(analyze('THE thes')).toEqual(['the']);
  });

  it("removes English possessives ('s, ’s, ＇s; either case of the s) before lower-casing", () => {
    expect(stripPossessive("John's")).toBe('John');
    expect(stripPossessive('JOHN’S')).toBe('JOHN');
    expect(stripPossessive('Ann\uff07s')).toBe('Ann');
    expect(stripPossessive("don't")).toBe("don't");
    expect(stripPossessive('s')).toBe('s');
    expect(analyze("the patient's cells' and Alzheimer’s")).toEqual(['patient', 'cell', 'alzheim']);
  });

  it('stems with Porter 1 (examples from Porter 1980), not Porter 2', () => {
    const words = 'caresses ponies ties agreed plastered motoring hopping falling filing happy relational conditional';
    expect(analyze(words)).toEqual([
      'caress',
      'poni',
      'ti',
      'agre',
      'plaster',
      'motor',
      'hop',
      'fall',
      'file',
      'happi',
      'relat',
      'condit',
    ]);
    // Porter 2 (Snowball English) gives "generous" for "generously" (its R1 special case for "gener");
    // Porter 1 gives "gener" via step 2 (ousli → ous, m("gener") > 0) and step 4 (ous, m > 1)
    expect(stemmer('generously')).toBe('gener');
    // step 5 keeps the e of a cvc-ending stem with m = 1 and strips it for m > 1
    expect(analyze('cease probate rate')).toEqual(['ceas', 'probat', 'rate']);
  });

  it('analyses numbers and hyphenated terms into matching pieces', () => {
    expect(analyze('IL-6 and interleukin 6 in 2.5mg doses; 1,000 mice')).toEqual([
      'il',
      '6',
      'interleukin',
      '6',
      '2.5mg',
      'dose',
      '1,000',
      'mice',
    ]);
  });
});
