/**
 * The platform's blob store as the cache tests use it: uploads through the real blob route with an
 * admin token (a runner token reads only what its job needs), and a way to make a stored blob lie.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { artifacts } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { BlobSource, PlatformClient } from '../src/index';
import type { Live } from './live-platform';

export const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stores bytes on the platform as `trueboard benchmark import` does; returns their hash. */
export async function uploadBlob(live: Live, adminToken: string, content: string | Uint8Array): Promise<string> {
  const res = await fetch(`${live.url}/api/blobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    body: content,
  });
  expect(res.status).toBe(200);
  const { sha256: hash } = (await res.json()) as { sha256: string };
  expect(hash).toBe(sha256(content));
  return hash;
}

/** Replaces the platform's stored copy of a blob with other bytes. */
export async function rotBlob(live: Live, hash: string, bytes: string | Uint8Array): Promise<void> {
  const [a] = await live.p.db.select().from(artifacts).where(eq(artifacts.sha256, hash));
  const file = a && live.p.storage.localPath?.(a.storageKey);
  if (!file) throw new Error('the test platform keeps blobs in local files');
  await writeFile(file, bytes);
}

/** The platform client, counting what it is asked for. */
export class CountingSource implements BlobSource {
  readonly requests: string[] = [];
  constructor(private readonly client: PlatformClient) {}
  blob(hash: string, signal?: AbortSignal) {
    this.requests.push(hash);
    return this.client.blob(hash, signal);
  }
  count(hash: string) {
    return this.requests.filter((r) => r === hash).length;
  }
}
