import { Writable } from 'node:stream';
import { readTrecRun } from '@trueboard/metrics/trec-io';
import { describe, expect, it } from 'vitest';
import { type Candidate, formatScore, trecRunLines, writeTrecRun } from '../src/formats';
import { slowSink } from './formats-helpers';

/** A deliberately tiny TREC run parser: six whitespace-separated columns, nothing else. */
function parseRun(text: string) {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const cols = l.split(/\s+/);
      expect(cols).toHaveLength(6);
      const [qid, q0, docid, rank, score, tag] = cols as [string, string, string, string, string, string];
      return { qid, q0, docid, rank: Number(rank), score: Number(score), tag };
    });
}

const bits = (x: number) => new DataView(Float64Array.of(x).buffer).getBigUint64(0);

/** Doubles whose shortest decimal form is tricky: subnormals, the extremes, exponents, -0, ties. */
const TRICKY = [
  1.7976931348623157e308, 1e21, 123456789.12345679, 0.30000000000000004, 0.1, 1e-7, 2.2250738585072014e-308, 5e-324, 0,
  -0, -5e-324, -1e-7, -0.1, -0.1, -1e21, -1.7976931348623157e308,
];

function randomRun(seed: number, queries: number, depth: number): Map<string, Candidate[]> {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const run = new Map<string, Candidate[]>();
  for (let q = 0; q < queries; q++) {
    // Random bit patterns give doubles of every magnitude; finite ones only, sorted so scores descend.
    const scores: number[] = [];
    while (scores.length < depth) {
      const x = new DataView(Uint32Array.of(next(), next()).buffer).getFloat64(0);
      if (Number.isFinite(x)) scores.push(x);
    }
    scores.sort((a, b) => b - a);
    run.set(
      `q${q}`,
      scores.map((score, i) => ({ docid: `doc-${q}-${i}`, score })),
    );
  }
  return run;
}

describe('TREC run writer', () => {
  it('writes ranks 1-based in the given order, and the scores parse back bit-identical', async () => {
    const run = randomRun(7, 40, 50);
    run.set(
      'tricky',
      TRICKY.map((score, i) => ({ docid: `t${i}`, score })),
    );
    const { sink, text, drains } = slowSink();
    await writeTrecRun(run, sink, { tag: 'bm25-k1_0.9' });
    expect(drains()).toBeGreaterThan(0);
    const lines = parseRun(text());
    expect(lines).toHaveLength(40 * 50 + TRICKY.length);
    let i = 0;
    for (const [qid, candidates] of run) {
      candidates.forEach((c, r) => {
        const line = lines[i++];
        expect(line).toMatchObject({ qid, q0: 'Q0', docid: c.docid, rank: r + 1, tag: 'bm25-k1_0.9' });
        expect(bits(line?.score ?? Number.NaN)).toBe(bits(c.score));
      });
    }
  });

  it("agrees with packages/metrics' streaming run parser", async () => {
    const run = new Map([['tricky', TRICKY.map((score, i) => ({ docid: `t${i}`, score }))]]);
    const parsed = await readTrecRun([[...trecRunLines(run, { tag: 't' })].join('')], 'run.txt');
    expect(parsed).toHaveLength(1);
    expect([...(parsed[0]?.scores ?? [])].map(bits)).toEqual(TRICKY.map(bits));
  });

  it('prints -0 as -0 and otherwise the shortest round-trip decimal', () => {
    expect(formatScore(-0)).toBe('-0');
    expect(formatScore(0)).toBe('0');
    expect(formatScore(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatScore(1e-7)).toBe('1e-7');
  });

  const bad: [string, Map<string, Candidate[]>, string, string][] = [
    ['a tag with a space', new Map(), 'my run', 'run: tag "my run" contains whitespace'],
    ['an empty tag', new Map(), '', 'run: tag is empty'],
    ['a query id with a tab', new Map([['q\t1', []]]), 't', 'run query "q\\t1": query id "q\\t1" contains whitespace'],
    [
      'an empty docid',
      new Map([['q1', [{ docid: '', score: 1 }]]]),
      't',
      'run query "q1" rank 1: document id is empty',
    ],
    [
      'a NaN score',
      new Map([
        [
          'q1',
          [
            { docid: 'a', score: 2 },
            { docid: 'b', score: Number.NaN },
          ],
        ],
      ]),
      't',
      'run query "q1" rank 2: score NaN is not a finite number',
    ],
    [
      'an infinite score',
      new Map([['q1', [{ docid: 'a', score: Number.POSITIVE_INFINITY }]]]),
      't',
      'run query "q1" rank 1: score Infinity is not a finite number',
    ],
    [
      'a duplicate docid',
      new Map([
        [
          'q1',
          [
            { docid: 'a', score: 2 },
            { docid: 'a', score: 1 },
          ],
        ],
      ]),
      't',
      'run query "q1" rank 2: document "a" appears twice',
    ],
    [
      'a score that rises',
      new Map([
        [
          'q1',
          [
            { docid: 'a', score: 2 },
            { docid: 'b', score: 2 },
            { docid: 'c', score: 2.5 },
          ],
        ],
      ]),
      't',
      'run query "q1" rank 3: score 2.5 is above the score 2 at rank 2',
    ],
  ];
  it.each(bad)('refuses %s', async (_case, run, tag, message) => {
    await expect(writeTrecRun(run, slowSink().sink, { tag })).rejects.toThrow(message);
  });

  it('refuses a query given twice by a plain iterable', () => {
    const pairs: [string, Candidate[]][] = [
      ['q1', [{ docid: 'a', score: 1 }]],
      ['q1', [{ docid: 'b', score: 1 }]],
    ];
    expect(() => [...trecRunLines(pairs, { tag: 't', name: 'out.run' })]).toThrow(
      'out.run query "q1": appears twice in the run',
    );
  });

  it("rejects with the stream's error when a write fails, and when the stream is already closed", async () => {
    const failing = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        setImmediate(() => done(new Error('disk full')));
      },
    });
    await expect(writeTrecRun(randomRun(1, 5, 5), failing, { tag: 't' })).rejects.toThrow('disk full');
    const { sink } = slowSink();
    sink.destroy();
    await expect(writeTrecRun(randomRun(1, 5, 5), sink, { tag: 't' })).rejects.toThrow(
      'the output stream was closed before the writer finished',
    );
  });
});
