import { Readable } from 'node:stream';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { attachmentHeaders } from './attachment';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET|HEAD /api/submissions/<id>/artifact — the submitted file, with the submission's visibility
 * (public: anyone; private: its team and platform admins; anyone else: 404). `trueboard reproduce`
 * reads it. User content, so always a download (attachment.ts), never with a stored type.
 */
export async function handleSubmissionArtifact(ctx: Context, id: string): Promise<Response | null> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') return null;
  if (!UUID.test(id)) throw core.badInput(`bad input: "${id}" is not a submission id`);
  const a = await core.submissionArtifact(ctx.platform, ctx.actor, id);
  const headers = {
    ...attachmentHeaders(`${id}.artifact`),
    'content-length': String(a.size),
    etag: `"${a.sha256}"`,
    // the bytes never change, but a private submission's artifact must not sit in shared caches
    'cache-control': 'private, max-age=31536000, immutable',
  };
  if (ctx.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(Readable.toWeb(a.open()) as unknown as ReadableStream<Uint8Array>, { status: 200, headers });
}
