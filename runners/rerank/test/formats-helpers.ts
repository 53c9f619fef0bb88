import { Writable } from 'node:stream';

/**
 * A Writable that takes its time (each write completes on a later tick) and has a tiny buffer, so a
 * writer that ignores backpressure or forgets to await would produce a short or out-of-order result.
 */
export function slowSink(): { sink: Writable; text: () => string; drains: () => number } {
  const chunks: string[] = [];
  let drains = 0;
  const sink = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      setImmediate(done);
    },
  });
  sink.on('drain', () => drains++);
  return { sink, text: () => chunks.join(''), drains: () => drains };
}
