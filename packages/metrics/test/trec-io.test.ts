import { describe, expect, it } from 'vitest';
import { mulberry32, randomIndex } from '../src/random';
import { byteStringAt, compareUtf8, type RunQuery } from '../src/trec-data';
import { readTrecQrels, readTrecRun, TrecFormatError } from '../src/trec-io';

/** Feeds `text` in chunks of `size` bytes, so that lines and multi-byte characters straddle chunks. */
function* chunks(text: string, size: number): Generator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function docs(q: RunQuery | undefined): string[] {
  if (!q) return [];
  return Array.from({ length: q.docs.count }, (_, i) => byteStringAt(q.docs, i));
}

const RUN = [
  'q1 Q0 d1 1 2.5 tag',
  '',
  '  q2\tQ0  dé  1 -1e-3 tag extra columns ignored',
  'q1 Q0 d2 7 0.1000000001 tag\r',
  '   ',
  'q1 Q0 d3 3 +.5 tag',
].join('\n');

describe('readTrecRun', () => {
  it('reads whitespace-separated columns in any chunking, merging scattered lines of a query', async () => {
    for (const size of [1, 3, 7, 1 << 16]) {
      const run = await readTrecRun(chunks(RUN, size), 'run.txt');
      expect(run.map((q) => q.qid)).toEqual(['q1', 'q2']);
      expect(docs(run[0])).toEqual(['d1', 'd2', 'd3']);
      expect([...(run[0]?.scores ?? [])]).toEqual([2.5, 0.1000000001, 0.5]);
      expect(docs(run[1])).toEqual(['dé']);
      expect([...(run[1]?.scores ?? [])]).toEqual([-0.001]);
    }
  });

  it('parses every decimal score exactly as Number() (and C strtod) does', async () => {
    // Short decimals take a hand-written fast path; 0.3, 0.1000000001 and 15-digit values are where an
    // inexact one (e.g. multiplying by 10^-k) would be off by an ulp.
    const rng = mulberry32(11);
    const texts = ['0.3', '-0.7', '0.1000000001', '123456789012345', '1234567890.12345', '9.999999999999999', '5.'];
    for (let i = 0; i < 3000; i++) {
      const digits = Array.from({ length: 1 + randomIndex(rng, 16) }, () => randomIndex(rng, 10)).join('');
      const point = randomIndex(rng, digits.length + 1);
      texts.push(
        `${rng() < 0.3 ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`.replace(/^(-?)\.$/, '$10'),
      );
    }
    const run = await readTrecRun([texts.map((t, i) => `q Q0 d${i} 1 ${t} x\n`).join('')], 'run.txt');
    const scores = run[0]?.scores ?? new Float64Array(0);
    texts.forEach((t, i) => {
      expect(scores[i], t).toBe(Number(t));
    });
  });

  it('reports a malformed line with the file name and line number', async () => {
    const bad = async (text: string) => {
      try {
        await readTrecRun(chunks(text, 5), 'my-run.trec');
      } catch (err) {
        expect(err).toBeInstanceOf(TrecFormatError);
        return (err as Error).message;
      }
      throw new Error('accepted a malformed run');
    };
    expect(await bad('q1 Q0 d1 1 1 t\nq1 Q0 d2 2 1\n')).toBe(
      "my-run.trec line 2: expected 6 columns 'qid Q0 docid rank score tag', found 5",
    );
    expect(await bad('\n\nq1 Q0 d1 1 abc t')).toBe(
      "my-run.trec line 3: query 'q1' document 'd1': score 'abc' is not a number",
    );
    expect(await bad('q1 Q0 d1 1 0x1F t')).toBe(
      "my-run.trec line 1: query 'q1' document 'd1': score '0x1F' is not a number",
    );
    expect(await bad('q1 Q0 d1 1 NaN t')).toBe(
      "my-run.trec line 1: query 'q1' document 'd1': score 'NaN' is not finite",
    );
    expect(await bad('q1 Q0 d1 1 -inf t')).toBe(
      "my-run.trec line 1: query 'q1' document 'd1': score '-inf' is not finite",
    );
    expect(await bad('q1 Q0 d1 1 1e999 t')).toBe(
      "my-run.trec line 1: query 'q1' document 'd1': score '1e999' is not finite",
    );
  });
});

describe('readTrecQrels', () => {
  it('reads integer labels, negative ones included', async () => {
    const qrels = await readTrecQrels(['1 0 a 2\n1 0 b -1\r\n', '2 0 c 0'], 'qrels.txt');
    expect(qrels.map((q) => q.qid)).toEqual(['1', '2']);
    expect([...(qrels[0]?.labels ?? [])]).toEqual([2, -1]);
    expect([...(qrels[1]?.labels ?? [])]).toEqual([0]);
  });

  it('reports a malformed line with the file name and line number', async () => {
    await expect(readTrecQrels(['1 0 a 1\n1 0 b 1 x\n'], 'q.txt')).rejects.toThrow(
      "q.txt line 2: expected 4 columns 'qid iter docid label', found more",
    );
    await expect(readTrecQrels(['1 0 a\n'], 'q.txt')).rejects.toThrow(
      "q.txt line 1: expected 4 columns 'qid iter docid label', found 3",
    );
    await expect(readTrecQrels(['1 0 a 1.5\n'], 'q.txt')).rejects.toThrow(
      "q.txt line 1: query '1' document 'a': label '1.5' is not an integer",
    );
  });
});

describe('compareUtf8', () => {
  it('orders by UTF-8 bytes, as trec_eval orders query ids', () => {
    // "10" < "2" byte-wise; U+FF21 (EF BC A1) < U+1F600 (F0 ...) although its UTF-16 unit is larger
    expect(['2', '10', '\u{1F600}', '\uFF21', '1'].sort(compareUtf8)).toEqual(['1', '10', '2', '\uFF21', '\u{1F600}']);
  });
});
