import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as core from '@trueboard/core';
import { artifacts, memberships } from '@trueboard/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { Context } from '../context';
import { json } from './respond';

const MAX_BLOB_BYTES = 4 * 1024 ** 3;

export function bodyStream(req: Request): Readable {
  if (!req.body) return Readable.from([]);
  return Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
}

/**
 * GET /api/blobs/:sha256 — runners (any runner token) and admins read blobs by hash.
 * POST /api/blobs — maintainers upload dataset files for `trueboard benchmark import`.
 */
export async function handleBlobs(ctx: Context, path: string[]): Promise<Response | null> {
  const p = ctx.platform;
  if (ctx.req.method === 'POST' && path.length === 0) {
    const u = core.requireUser(ctx.actor);
    if (!u.isAdmin) {
      const [m] = await p.db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.userId, u.userId), inArray(memberships.role, ['admin', 'maintainer'])))
        .limit(1);
      if (!m) throw core.forbidden('uploading dataset files needs the maintainer role in a team');
    }
    const mediaType = ctx.req.headers.get('content-type') ?? 'application/octet-stream';
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
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha));
  if (!a || !(await p.storage.exists(a.storageKey))) throw core.notFound(`blob ${sha}`);
  const headers = {
    'content-type': a.mediaType,
    'content-length': String(a.size),
    etag: `"${sha}"`,
    'cache-control': 'private, max-age=31536000, immutable',
  };
  if (ctx.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  const stream = Readable.toWeb(p.storage.open(a.storageKey)) as unknown as ReadableStream<Uint8Array>;
  return new Response(stream, { status: 200, headers });
}
