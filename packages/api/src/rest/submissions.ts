import * as core from '@trueboard/core';
import type { Context } from '../context';
import { bodyStream } from './blobs';
import { json } from './respond';

/**
 * POST /api/submissions?benchmark=…&method=…[&note=…&public=true|false&baseline=true]
 * Body: the artifact bytes (streamed; the size limit is enforced while reading).
 * `Idempotency-Key: <id>` makes a retry safe: the same key and artifact again answer 200 with the
 * first submission instead of 201 with a new one.
 */
export async function handleSubmissionUpload(ctx: Context): Promise<Response | null> {
  if (ctx.req.method !== 'POST') return null;
  const q = new URL(ctx.req.url).searchParams;
  const meta = {
    benchmark: q.get('benchmark') ?? undefined,
    method: q.get('method') ?? undefined,
    note: q.get('note') ?? undefined,
    isPublic: q.has('public') ? q.get('public') !== 'false' : undefined,
  };
  const len = Number(ctx.req.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(len) && len === 0) throw core.badInput('bad input: the request body (the artifact) is empty');
  const res = await core.submit(ctx.platform, ctx.actor, meta, bodyStream(ctx.req), {
    isBaseline: q.get('baseline') === 'true',
    declaredBytes: Number.isFinite(len) ? len : undefined,
    clientRequestId: ctx.req.headers.get('idempotency-key') ?? undefined,
  });
  return json(res, res.repeated ? 200 : 201);
}
