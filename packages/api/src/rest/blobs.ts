import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { attachmentHeaders } from './attachment';
import { json } from './respond';

export function bodyStream(req: Request): Readable {
  if (!req.body) return Readable.from([]);
  return Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
}

/**
 * GET /api/blobs/:sha256 — admins read any blob by hash; a runner reads the artifact and dataset
 * files of a run it holds the lease of (checked in core.openBlob). Always served as a download
 * (attachment.ts).
 * POST /api/blobs — admins (and allow-listed maintainers) upload dataset files for `trueboard benchmark import`.
 */
export async function handleBlobs(ctx: Context, path: string[]): Promise<Response | null> {
  const p = ctx.platform;
  if (ctx.req.method === 'POST' && path.length === 0) {
    return json(await core.uploadDatasetBlob(p, ctx.actor, bodyStream(ctx.req)));
  }
  const sha = path[0];
  if ((ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') || path.length !== 1 || !sha) return null;
  const a = await core.openBlob(p, ctx.actor, sha);
  const headers = {
    // the stored media type is ignored: rows written before it was fixed may hold an uploader's
    ...attachmentHeaders(sha),
    'content-length': String(a.size),
    etag: `"${sha}"`,
    'cache-control': 'private, max-age=31536000, immutable',
  };
  if (ctx.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  const stream = Readable.toWeb(a.open()) as unknown as ReadableStream<Uint8Array>;
  return new Response(stream, { status: 200, headers });
}
