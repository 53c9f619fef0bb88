import { Tokenizer } from '@huggingface/tokenizers';
import { SubmissionError } from '@trueboard/contracts';

/** One query–passage input: `[CLS] query [SEP] passage [SEP]`, type ids 0 through the first [SEP], then 1. */
export interface PairEncoding {
  ids: Int32Array;
  typeIds: Uint8Array;
  /** the query's own tokens were cut to make room for one passage token (see encodePair) */
  queryTruncated: boolean;
  /** the passage was cut to fit maxLength */
  passageTruncated: boolean;
}

/** Past this many distinct texts the cache starts over, so a huge corpus cannot hold all its encodings. */
const CACHE_LIMIT = 200_000;

/**
 * Encodes query–passage pairs with `@huggingface/tokenizers` reading the model's own tokenizer.json.
 * That library encodes pairs but does not truncate, so the pair is assembled here from the two
 * single encodings (no special tokens), which also lets each text be tokenized once however many
 * pairs it is in. Truncation follows Transformers' `only_second`: the passage is cut, the query kept.
 * The assembly is checked once against the library's own pair encoding, so a tokenizer whose pair
 * template differs (RoBERTa's `<s> A </s></s> B </s>`, say) is refused rather than fed wrongly.
 */
export class PairTokenizer {
  readonly maxLength: number;
  private readonly tokenizer: Tokenizer;
  private readonly cls: number;
  private readonly sep: number;
  private readonly cache = new Map<string, Int32Array>();

  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>, maxLength: number) {
    if (!Number.isInteger(maxLength) || maxLength < 4) {
      throw new Error(`maxLength must be an integer of at least 4, got ${maxLength}`);
    }
    this.maxLength = maxLength;
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new SubmissionError(`model directory: tokenizer.json cannot be loaded: ${(e as Error).message}`);
    }
    this.cls = this.special('[CLS]');
    this.sep = this.special('[SEP]');
    this.checkTemplate();
  }

  /** The token ids of one text without special tokens (cached). */
  tokens(text: string): Int32Array {
    let ids = this.cache.get(text);
    if (!ids) {
      ids = Int32Array.from(this.tokenizer.encode(text, { add_special_tokens: false }).ids);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(text, ids);
    }
    return ids;
  }

  /**
   * `[CLS] query [SEP] passage [SEP]` within maxLength. Only the passage is cut. A query that alone
   * leaves no room for one passage token is cut too (to maxLength − 4 tokens), and the encoding says
   * so: an error would stop a whole evaluation over one long query in the dataset, which is not the
   * submitter's doing.
   */
  encodePair(query: string, passage: string): PairEncoding {
    let q = this.tokens(query);
    const p = this.tokens(passage);
    const room = this.maxLength - 3;
    const queryTruncated = q.length > room - 1;
    if (queryTruncated) q = q.subarray(0, room - 1);
    const kept = Math.min(p.length, room - q.length);
    return { ...this.assemble(q, p.subarray(0, kept)), queryTruncated, passageTruncated: kept < p.length };
  }

  private assemble(q: Int32Array, p: Int32Array): Pick<PairEncoding, 'ids' | 'typeIds'> {
    const length = q.length + p.length + 3;
    const ids = new Int32Array(length);
    ids[0] = this.cls;
    ids.set(q, 1);
    ids[q.length + 1] = this.sep;
    ids.set(p, q.length + 2);
    ids[length - 1] = this.sep;
    const typeIds = new Uint8Array(length);
    typeIds.fill(1, q.length + 2);
    return { ids, typeIds };
  }

  private special(token: string): number {
    const id = this.tokenizer.token_to_id(token);
    if (id === undefined) {
      throw new SubmissionError(
        `model directory: tokenizer.json has no ${token} token; only BERT-style cross-encoders ([CLS] query [SEP] passage [SEP]) are supported`,
      );
    }
    return id;
  }

  private checkTemplate(): void {
    const [a, b] = ['what is a query', 'a passage answers it'];
    const native = this.tokenizer.encode(a, { text_pair: b, return_token_type_ids: true });
    const ours = this.assemble(this.tokens(a), this.tokens(b));
    const same =
      native.ids.length === ours.ids.length &&
      native.ids.every((id, i) => id === ours.ids[i] && native.token_type_ids[i] === ours.typeIds[i]);
    this.cache.clear();
    if (!same) {
      throw new SubmissionError(
        `model directory: tokenizer.json's post_processor does not build [CLS] query [SEP] passage [SEP] with type ids 0 then 1 (it gives ${JSON.stringify(native.tokens)}); only BERT-style cross-encoders are supported`,
      );
    }
  }
}
