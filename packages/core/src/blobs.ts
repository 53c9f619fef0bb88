import type { Readable } from 'node:stream';
import { artifacts, type DbOrTx } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import type { Actor } from './actor';
import { requireBenchmarkRegistrar } from './benchmarks';
import { runnerMayReadBlob } from './blob-access';
import { badInput, DomainError, notFound } from './errors';
import type { Platform } from './platform';
import type { StoredBlob } from './storage';

/** The largest dataset file `POST /api/blobs` accepts. */
const MAX_BLOB_BYTES = 4 * 1024 ** 3;

/** Records a stored blob by hash (once: the same bytes uploaded again keep the first row). */
export async function recordBlob(db: DbOrTx, blob: StoredBlob): Promise<void> {
  await db
    .insert(artifacts)
    .values({
      sha256: blob.sha256,
      size: blob.size,
      // never the client's Content-Type: a type chosen by an uploader would stick to the hash, and
      // served types are fixed anyway (api/rest/attachment.ts)
      mediaType: 'application/octet-stream',
      storageKey: blob.storageKey,
    })
    .onConflictDoNothing();
}

/**
 * Stores a dataset file for `trueboard benchmark import`: for those who may register benchmarks
 * (admins and allow-listed maintainers), checked before a byte is read.
 */
export async function uploadDatasetBlob(p: Platform, actor: Actor, body: Readable) {
  await requireBenchmarkRegistrar(p, actor);
  const blob = await p.storage.put(body, { maxBytes: MAX_BLOB_BYTES, label: 'dataset file' });
  await recordBlob(p.db, blob);
  return { sha256: blob.sha256, size: blob.size };
}

/**
 * A blob by hash, for download: admins read any; a runner reads only the artifact and dataset files
 * of a run it holds the lease of, and anything else is "not found", so a runner token cannot probe
 * which hashes the store holds. Everyone else is refused.
 */
export async function openBlob(p: Platform, actor: Actor, sha256: string) {
  if (actor.kind !== 'runner' && !(actor.kind === 'user' && actor.isAdmin)) {
    throw new DomainError(
      actor.kind === 'anonymous' ? 'unauthorized' : 'forbidden',
      'blobs are served to runners and admins',
    );
  }
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw badInput(`bad input: "${sha256}" is not a sha256`);
  if (actor.kind === 'runner' && !(await runnerMayReadBlob(p, actor, sha256))) {
    throw new DomainError(
      'not_found',
      `blob ${sha256} not found among the files of the runs and correction checks this runner holds a lease on`,
    );
  }
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha256));
  if (!a || !(await p.storage.exists(a.storageKey))) throw notFound(`blob ${sha256}`);
  const storageKey = a.storageKey;
  return { sha256, size: a.size, open: (): Readable => p.storage.open(storageKey) };
}
