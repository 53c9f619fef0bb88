import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '@trueboard/contracts';
import { DomainError } from './errors';

export interface PutOptions {
  maxBytes: number;
  label?: string;
  expectSha256?: string;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  storageKey: string;
}

/** Where content-addressed bytes live. The local filesystem is the default; an object store can replace it. */
export interface BlobStorage {
  /**
   * Streams `input` in, hashing as it goes; refuses more than `maxBytes` with a `too_large` error,
   * and bytes whose hash is not `expectSha256` (when given) with a `bad_input` error, storing nothing.
   */
  put(input: Readable | Uint8Array, opts: PutOptions): Promise<StoredBlob>;
  open(storageKey: string): Readable;
  /** the blob as a local file, when the storage has one (SQLite files are opened in place) */
  localPath?(storageKey: string): string;
  exists(storageKey: string): Promise<boolean>;
}

export { formatBytes };

/** The sha256 and size of `input` without storing it; more than `maxBytes` is a `too_large` error. */
export async function digest(
  input: Readable | Uint8Array,
  opts: { maxBytes: number; label?: string },
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const source = input instanceof Uint8Array ? Readable.from([Buffer.from(input)]) : input;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > opts.maxBytes) {
      source.destroy();
      throw new DomainError(
        'too_large',
        `${opts.label ?? 'upload'} is larger than the limit of ${formatBytes(opts.maxBytes)}`,
        { maxBytes: opts.maxBytes },
      );
    }
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), size };
}

export class LocalBlobStorage implements BlobStorage {
  constructor(readonly root: string) {}

  private keyPath(key: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`invalid storage key ${key}`);
    return join(this.root, key);
  }

  async put(input: Readable | Uint8Array, opts: PutOptions): Promise<StoredBlob> {
    // submissions may be private: blobs are readable by the platform's user only
    await mkdir(join(this.root, 'tmp'), { recursive: true, mode: 0o700 });
    const tmp = join(this.root, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > opts.maxBytes) {
          cb(
            new DomainError(
              'too_large',
              `${opts.label ?? 'upload'} is larger than the limit of ${formatBytes(opts.maxBytes)}`,
              { maxBytes: opts.maxBytes },
            ),
          );
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const source = input instanceof Uint8Array ? Readable.from([Buffer.from(input)]) : input;
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }));
      const sha256 = hash.digest('hex');
      if (opts.expectSha256 !== undefined && sha256 !== opts.expectSha256) {
        // the temporary file goes in `finally`: nothing of a wrong upload stays in the store
        throw new DomainError(
          'bad_input',
          `bad input: ${opts.label ?? 'upload'}: the bytes received have sha256 ${sha256}, not the expected ${opts.expectSha256}; nothing was stored`,
        );
      }
      const storageKey = `${sha256.slice(0, 2)}/${sha256}`;
      await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      await rename(tmp, this.keyPath(storageKey));
      return { sha256, size, storageKey };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  open(storageKey: string): Readable {
    return createReadStream(this.keyPath(storageKey));
  }

  localPath(storageKey: string): string {
    return this.keyPath(storageKey);
  }

  async exists(storageKey: string): Promise<boolean> {
    return stat(this.keyPath(storageKey)).then(
      () => true,
      () => false,
    );
  }
}
