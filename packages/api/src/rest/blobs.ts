import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as core from '@trueboard/core';
import { artifacts } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import type { Context } from '../context';
import { attachmentHeaders } from './attachment';
import { json } from './respond';

const MAX_BLOB_BYTES = 4 * 1024 ** 3;

export function bodyStream(req: Request): Readable {
  if (!req.body) return Readable.from([]);
  return Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
}

/**
 * GET /api/blobs/:sha256 — admins read any blob by hash; a runner reads the artifact and dataset
 * files of a run it holds the lease of. Always served as a download (attachment.ts).
 * POST /api/blobs — admins (and allow-listed maintainers) upload dataset files for `trueboard benchmark import`.
 */
export async function handleBlobs(ctx: Context, path: string[]): Promise<Response | null> {
  const p = ctx.platform;
  if (ctx.req.method === 'POST' && path.length === 0) {
    await core.requireBenchmarkRegistrar(p, ctx.actor);
    // the client's Content-Type is never stored: served types are fixed (see attachment.ts)
    const mediaType = 'application/octet-stream';
    const blob = await p.storage.put(bodyStream(ctx.req), { maxBytes: MAX_BLOB_BYTES, label: 'dataset file' });
    await p.db
      .insert(artifacts)
      .values({ sha256: blob.sha256, size: blob.size, mediaType, storageKey: blob.storageKey })
      .onConflictDoNothing();
    return json({ sha256: blob.sha256, size: blob.size });
  }
  const sha = path[0];
  if ((ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') || path.length !== 1 || !sha) return null;
  if (ctx.actor.kind !== 'runner' && !(ctx.actor.kind === 'user' && ctx.actor.isAdmin)) {
    throw new core.DomainError(
      ctx.actor.kind === 'anonymous' ? 'unauthorized' : 'forbidden',
      'blobs are served to runners and admins',
    );
  }
  if (!/^[0-9a-f]{64}$/.test(sha)) throw core.badInput(`bad input: "${sha}" is not a sha256`);
  // a runner reads only what its current job needs; "not found" either way, so a runner token
  // cannot probe which hashes the store holds
  if (ctx.actor.kind === 'runner' && !(await core.runnerMayReadBlob(p, ctx.actor, sha))) {
    throw new core.DomainError(
      'not_found',
      `blob ${sha} not found among the artifact and dataset files of the runs this runner holds a lease on`,
    );
  }
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha));
  if (!a || !(await p.storage.exists(a.storageKey))) throw core.notFound(`blob ${sha}`);
  const headers = {
    // the stored media type is ignored: rows written before it was fixed may hold an uploader's
    ...attachmentHeaders(sha),
    'content-length': String(a.size),
    etag: `"${sha}"`,
    'cache-control': 'private, max-age=31536000, immutable',
  };
  if (ctx.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  const stream = Readable.toWeb(p.storage.open(a.storageKey)) as unknown as ReadableStream<Uint8Array>;
  return new Response(stream, { status: 200, headers });
}
