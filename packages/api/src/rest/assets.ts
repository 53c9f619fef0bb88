import * as core from '@trueboard/core';
import type { Context } from '../context';
import { bodyStream } from './blobs';
import { json } from './respond';

/**
 * Benchmark assets for `trueboard benchmark import` (admins and allow-listed maintainers):
 *   HEAD /api/assets/<sha256>                         200 with its size when the platform has it, else 404;
 *                                                     both with the largest asset the platform takes
 *   PUT  /api/assets/<sha256>?name=<asset>&bytes=<n>  streams the asset in; refused unless its bytes
 *                                                     have that hash and size, or over the asset limit
 * Runners read assets by hash through /api/blobs (blob-access.ts).
 */
export async function handleAssets(ctx: Context, path: string[]): Promise<Response | null> {
  const [sha256, ...rest] = path;
  if (!sha256 || rest.length) return null;
  if (ctx.req.method === 'HEAD') {
    const a = await core.storedAsset(ctx.platform, ctx.actor, sha256);
    const limit = { 'x-trueboard-max-asset-bytes': String(a.maxBytes) };
    if (a.size === null) return new Response(null, { status: 404, headers: limit });
    return new Response(null, { status: 200, headers: { ...limit, 'x-trueboard-size': String(a.size) } });
  }
  if (ctx.req.method !== 'PUT') return null;
  const params = new URL(ctx.req.url).searchParams;
  const bytes = params.get('bytes');
  const input = { name: params.get('name') ?? undefined, sha256, bytes: bytes === null ? undefined : Number(bytes) };
  return json(await core.uploadAsset(ctx.platform, ctx.actor, input, bodyStream(ctx.req)));
}
