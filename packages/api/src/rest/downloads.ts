import * as core from '@trueboard/core';
import type { Context } from '../context';
import { attachmentHeaders } from './attachment';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^[1-9]\d{0,8}$/;

/**
 * GET|HEAD /api/submissions/<id>/downloads/<name>[?version=N] — a file the submission's family makes
 * from its stored rows (FamilyModule.downloads: a re-ranked run, …), with the visibility of the
 * submission's examples: a submission the caller may not see is "not found", as an unknown id is. An
 * unknown name is "not found" too, naming the downloads there are (`details.available`). The body
 * streams as the rows are read; it is served as user content is (attachment.ts): a download, never
 * rendered on our origin, since it carries submitters' and benchmarks' text.
 */
export async function handleDownload(ctx: Context, id: string, name: string): Promise<Response | null> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') return null;
  if (!UUID.test(id)) throw core.badInput(`bad input: "${id}" is not a submission id`);
  const version = new URL(ctx.req.url).searchParams.get('version');
  if (version !== null && !VERSION.test(version)) {
    throw core.badInput(`bad input: version "${version}" is not a version number`);
  }
  const file = await core.submissionDownload(
    ctx.platform,
    ctx.actor,
    id,
    name,
    version === null ? undefined : Number(version),
  );
  const headers = {
    ...attachmentHeaders(file.fileName, file.mediaType),
    // a re-run replaces the result, and a private submission's rows must not sit in shared caches
    'cache-control': 'private, no-cache',
  };
  if (ctx.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(byteStream(file.body, ctx.requestId), { status: 200, headers });
}

/** Chunks pulled as the client reads; a failure halfway breaks the response off (it is logged). */
function byteStream(chunks: AsyncIterable<string>, requestId: string): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (err) {
        console.error(`[${requestId}] download broken off:`, err);
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}
