import { Readable } from 'node:stream';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { attachmentHeaders, OCTET_STREAM } from './attachment';

/**
 * Downloads of a dataset version, public like the leaderboard:
 *   GET /api/benchmarks/<id>/versions/<n>/files/<path>   one file, in the original layout
 *   GET /api/benchmarks/<id>/versions/<n>/diff.json      changed examples vs the parent (before/after, corrections)
 *   GET /api/benchmarks/<id>/versions/<n>/changelog.md   the release notes
 * All of it is user content (annotations, correction text), so all of it is served as a download
 * with a fixed type (attachment.ts), never with the type stored for the blob.
 */
export async function handleVersions(ctx: Context, parts: string[]): Promise<Response | null> {
  if (ctx.req.method !== 'GET') return null;
  const [id, versions, n, what, ...rest] = parts;
  if (!id || versions !== 'versions' || !n || !what) return null;
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) throw core.badInput(`bad input: "${n}" is not a version number`);
  if (what === 'diff.json' && !rest.length) {
    const diff = await core.versionDiff(ctx.platform, id, number);
    return new Response(JSON.stringify(diff), {
      headers: {
        ...attachmentHeaders(`${id}-v${number}-diff.json`, 'application/json; charset=utf-8'),
        'cache-control': 'no-cache',
      },
    });
  }
  if (what === 'changelog.md' && !rest.length) {
    const v = await core.getVersion(ctx.platform, id, number);
    return new Response(v.changelog || `# ${id} v${number}\n\nThe original release.\n`, {
      headers: {
        ...attachmentHeaders(`${id}-v${number}-changelog.md`, 'text/plain; charset=utf-8'),
        'cache-control': 'no-cache',
      },
    });
  }
  if (what === 'files' && rest.length) {
    let path: string;
    try {
      path = rest.map(decodeURIComponent).join('/');
    } catch {
      throw core.badInput(`bad input: the file path "${rest.join('/')}" is not valid percent-encoding`);
    }
    const f = await core.versionFile(ctx.platform, id, number, path);
    const body = Readable.toWeb(f.open()) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        ...attachmentHeaders(path, OCTET_STREAM),
        'content-length': String(f.size),
        // immutable: a version's file never changes
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${f.sha256}"`,
      },
    });
  }
  return null;
}
