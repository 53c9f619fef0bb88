import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BlobSource } from './cache';

/**
 * Files on this machine as a source of blobs, for `trueboard eval`: a local directory artifact or
 * benchmark asset goes into the kit's cache by the same path as a runner's download (verified by
 * hash, unpacked by fetchTree within the evaluator's limits, checked by fetchAssets), so an offline
 * result is made from inputs prepared by the very code a runner uses.
 */
export class LocalBlobs implements BlobSource {
  private readonly files = new Map<string, string>();

  /** Serves `file` as the blob `sha256`; its bytes are checked against the hash as they are read. */
  add(sha256: string, file: string): void {
    this.files.set(sha256, file);
  }

  async blob(sha256: string): Promise<ReadableStream<Uint8Array>> {
    const file = this.files.get(sha256);
    if (file === undefined) throw new Error(`no local file was given for blob ${sha256}`);
    const hash = createHash('sha256');
    const chunks = createReadStream(file)[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (!next.done) {
            const chunk = next.value as Buffer;
            hash.update(chunk);
            controller.enqueue(chunk);
            return;
          }
          // the cache would refuse the bytes too; this says which file it was, and what it should be
          const actual = hash.digest('hex');
          if (actual !== sha256) throw new Error(`${file} has sha256 ${actual}; expected ${sha256}`);
          controller.close();
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await chunks.return?.();
      },
    });
  }
}
