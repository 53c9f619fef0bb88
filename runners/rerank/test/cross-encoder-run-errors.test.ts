import { SubmissionError } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src/cross-encoder';
import { modelDirs } from './cross-encoder-fixture';

/*
 * A model whose signature is right can still fail inside session.run. The case here is the common
 * one: a tokenizer whose ids run past the model's embedding table. The test model is built with 2,000
 * rows against BERT's 30,522-token vocabulary, so ONNX Runtime's real Gather fails on any word past
 * the first 2,000 ids, and that failure is the submission's (SubmissionError), not the platform's.
 */

const cpu = { device: 'cpu' as const, deviceRequest: 'auto' as const };
const newModel = await modelDirs();
const smallTable = await newModel({ vocab: 2000 });

describe('CrossEncoder.score on a model whose vocabulary is smaller than its tokenizer', () => {
  it('scores pairs whose ids all fit the table', async () => {
    const ce = await CrossEncoder.open(smallTable, cpu);
    try {
      // "the" (1996), "of" (1997) and "a" (1037) are all below 2,000
      const { scores } = await ce.score([{ query: 'the', passage: 'of a' }]);
      expect(Number.isFinite(scores[0])).toBe(true);
    } finally {
      await ce.release();
    }
  });

  it('fails as the submission, naming the batch shape and ONNX Runtime’s own message', async () => {
    const ce = await CrossEncoder.open(smallTable, cpu);
    const pairs = [
      { query: 'vitamin d deficiency causes rickets', passage: 'Rickets in children follows vitamin D deficiency.' },
      { query: 'vitamin d deficiency causes rickets', passage: 'Bone loss.' },
    ];
    try {
      const width = Math.max(...pairs.map((p) => ce.tokenizer.encodePair(p.query, p.passage).ids.length));
      expect(Math.max(...pairs.flatMap((p) => [...ce.tokenizer.encodePair(p.query, p.passage).ids]))).toBeGreaterThan(
        2000,
      );
      const error = await ce.score(pairs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SubmissionError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^the model failed on a batch of 2 pairs × ${width} tokens: [^\\n]*Gather[^\\n]*indices element out of data bounds[^\\n]* \\(does tokenizer\\.json match the model's vocabulary\\?\\)$`,
        ),
      );
    } finally {
      await ce.release();
    }
  });
});
