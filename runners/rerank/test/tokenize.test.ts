import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { SubmissionError } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';
import { maxLengthOf, PairTokenizer } from '../src/cross-encoder';

/*
 * Pair encoding on the two real Hugging Face tokenizer files shipped in runners/rerank/tokenizers (copies of shared/data/tokenizers).
 * The expected ids are looked up by hand in each file's own `model.vocab` (both files hold the same
 * 30,522-entry BERT uncased vocabulary), and the test checks those lookups too, so a wrong number
 * here is caught against the file rather than copied from the code under test:
 *   "What causes Rickets?"  → what 2054, causes 5320, rick 6174, ##ets 8454, ? 1029
 *      (lower-cased by the BertNormalizer; "rickets" is not a whole word in the vocabulary)
 *   "Vitamin D deficiency in children." → vitamin 17663, d 1040, deficiency 18888, in 1999,
 *      children 2336, . 1012
 *   special tokens: [CLS] 101, [SEP] 102 (the files' added_tokens and post_processor agree)
 */
const DIR = join(import.meta.dirname, '../tokenizers');
const FILES = ['bert-base-uncased', 'all-minilm-l6-v2'] as const;
const load = (name: string) =>
  JSON.parse(readFileSync(`${DIR}/${name}.tokenizer.json`, 'utf8')) as {
    model: { vocab: Record<string, number> };
    post_processor: Record<string, unknown>;
  };

const QUERY = 'What causes Rickets?';
const PASSAGE = 'Vitamin D deficiency in children.';
const QUERY_TOKENS = ['what', 'causes', 'rick', '##ets', '?'];
const QUERY_IDS = [2054, 5320, 6174, 8454, 1029];
const PASSAGE_TOKENS = ['vitamin', 'd', 'deficiency', 'in', 'children', '.'];
const PASSAGE_IDS = [17663, 1040, 18888, 1999, 2336, 1012];
const CLS = 101;
const SEP = 102;

describe.each(FILES)('pair encoding with %s', (name) => {
  const json = load(name);
  const pairs = new PairTokenizer(json, {}, 512);

  it('looks the hand-derived ids up in the file itself', () => {
    const vocab = json.model.vocab;
    expect([...QUERY_TOKENS, ...PASSAGE_TOKENS, '[CLS]', '[SEP]'].map((t) => vocab[t])).toEqual([
      ...QUERY_IDS,
      ...PASSAGE_IDS,
      CLS,
      SEP,
    ]);
  });

  it('builds [CLS] query [SEP] passage [SEP] with type ids 0 then 1', () => {
    const e = pairs.encodePair(QUERY, PASSAGE);
    expect(Array.from(e.ids)).toEqual([CLS, ...QUERY_IDS, SEP, ...PASSAGE_IDS, SEP]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(e).toMatchObject({ queryTruncated: false, passageTruncated: false });
  });

  it("agrees with the library's own pair encoding when nothing is cut", () => {
    const native = new Tokenizer(json, {}).encode(QUERY, { text_pair: PASSAGE, return_token_type_ids: true });
    const e = pairs.encodePair(QUERY, PASSAGE);
    expect(Array.from(e.ids)).toEqual(native.ids);
    expect(Array.from(e.typeIds)).toEqual(native.token_type_ids);
  });

  it('cuts only the passage to the maximum length, keeping the final [SEP]', () => {
    const short = new PairTokenizer(json, {}, 11);
    const e = short.encodePair(QUERY, PASSAGE);
    // 11 = [CLS] + 5 query tokens + [SEP] + 3 passage tokens + [SEP]
    expect(Array.from(e.ids)).toEqual([CLS, ...QUERY_IDS, SEP, 17663, 1040, 18888, SEP]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(e).toMatchObject({ queryTruncated: false, passageTruncated: true });
  });

  it('cuts a query that alone leaves no room, keeping one passage token, and says so', () => {
    const tiny = new PairTokenizer(json, {}, 6);
    const e = tiny.encodePair(QUERY, PASSAGE);
    expect(Array.from(e.ids)).toEqual([CLS, 2054, 5320, SEP, 17663, SEP]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(e).toMatchObject({ queryTruncated: true, passageTruncated: true });
  });

  it('is not truncated by the truncation block of tokenizer.json (the model config decides)', () => {
    // all-minilm's tokenizer.json says max_length 256; the cross-encoder's config may allow more
    const long = Array.from({ length: 600 }, () => 'children').join(' ');
    expect(pairs.encodePair(QUERY, long).ids.length).toBe(512);
  });
});

describe('tokenizers the pair layout does not fit', () => {
  it('refuses a tokenizer.json whose pair template is not BERT-style, naming the file', () => {
    const json = load('bert-base-uncased');
    // RoBERTa's layout: <s> A </s></s> B </s>, here spelled with BERT's tokens
    json.post_processor = { type: 'RobertaProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] };
    expect(() => new PairTokenizer(json, {}, 512)).toThrow(SubmissionError);
    expect(() => new PairTokenizer(json, {}, 512)).toThrow(/tokenizer\.json's post_processor does not build \[CLS\]/);
  });
});

describe('maxLengthOf', () => {
  it('takes model_max_length, else max_position_embeddings, the smaller of both, else 512', () => {
    expect(maxLengthOf({ model_max_length: 256 }, {})).toBe(256);
    expect(maxLengthOf({}, { max_position_embeddings: 384 })).toBe(384);
    expect(maxLengthOf({ model_max_length: 512 }, { max_position_embeddings: 384 })).toBe(384);
    expect(maxLengthOf({}, {})).toBe(512);
    // Transformers' "no limit" sentinel
    expect(maxLengthOf({ model_max_length: 1e30 }, {})).toBe(512);
  });

  it('refuses a length that is not a usable number, naming the file and field', () => {
    expect(() => maxLengthOf({ model_max_length: '512' }, {})).toThrow(
      new SubmissionError(
        'model directory: tokenizer_config.json "model_max_length" must be a positive number, got "512"',
      ),
    );
    expect(() => maxLengthOf({}, { max_position_embeddings: 2 })).toThrow(
      /config\.json "max_position_embeddings" must be an integer of at least 4, got 2/,
    );
  });
});
