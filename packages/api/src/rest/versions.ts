import { Readable } from 'node:stream';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { json } from './respond';

/**
 * Downloads of a dataset version, public like the leaderboard:
 *   GET /api/benchmarks/<id>/versions/<n>/files/<path>   one file, in the original layout
 *   GET /api/benchmarks/<id>/versions/<n>/diff.json      changed examples vs the parent (before/after, corrections)
 *   GET /api/benchmarks/<id>/versions/<n>/changelog.md   the release notes
 */
export async function handleVersions(ctx: Context, parts: string[]): Promise<Response | null> {
  if (ctx.req.method !== 'GET') return null;
  const [id, versions, n, what, ...rest] = parts;
  if (!id || versions !== 'versions' || !n || !what) return null;
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) throw core.badInput(`bad input: "${n}" is not a version number`);
  if (what === 'diff.json' && !rest.length) return json(await core.versionDiff(ctx.platform, id, number));
  if (what === 'changelog.md' && !rest.length) {
    const v = await core.getVersion(ctx.platform, id, number);
    return new Response(v.changelog || `# ${id} v${number}\n\nThe original release.\n`, {
      headers: { 'content-type': 'text/markdown; charset=utf-8', 'cache-control': 'no-cache' },
    });
  }
  if (what === 'files' && rest.length) {
    const path = rest.map(decodeURIComponent).join('/');
    const f = await core.versionFile(ctx.platform, id, number, path);
    const body = Readable.toWeb(f.open()) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        'content-type': f.mediaType,
        'content-length': String(f.size),
        'content-disposition': `attachment; filename="${path.split('/').at(-1)}"`,
        // immutable: a version's file never changes
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${f.sha256}"`,
      },
    });
  }
  return null;
}
