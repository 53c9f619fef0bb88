import { badInput, DomainError, formatBytes } from '@trueboard/core';
import type { Meta } from './trpc';

/** A tRPC request body is at most this big unless every procedure in the call declares more. */
export const TRPC_BODY_LIMIT = 1024 * 1024;
/** At most this many calls in one batched request. */
export const TRPC_MAX_BATCH = 10;
/** JSON nesting deeper than this is refused before it reaches a parser or a schema. */
export const TRPC_MAX_DEPTH = 32;

type ProcedureLookup = (path: string) => Meta | undefined;

/** The procedure paths a tRPC URL names (`/api/trpc/a.b,c.d?batch=1`). */
export function procedurePaths(url: URL, endpoint: string): string[] {
  const rest = decodeURIComponent(url.pathname.slice(endpoint.length + 1));
  return url.searchParams.get('batch') === '1' ? rest.split(',') : [rest];
}

/** The deepest `[`/`{` nesting of a JSON text (strings skipped), stopping early past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Reads a stream up to `max` bytes; more is a `too_large` error and the rest is never read. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, max: number, what: string): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new DomainError('too_large', `${what} is larger than the limit of ${formatBytes(max)}`, { maxBytes: max });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Checks a tRPC HTTP request before tRPC sees it: the batch size, procedures that must be called
 * alone (sign-in: one password guess per request), the body size (streamed, never buffered past
 * the cap) and the JSON nesting depth. Returns a request whose body has been read and checked.
 */
export async function checkTrpcRequest(req: Request, endpoint: string, lookup: ProcedureLookup): Promise<Request> {
  const url = new URL(req.url);
  const paths = procedurePaths(url, endpoint);
  if (paths.length > TRPC_MAX_BATCH) {
    throw badInput(`bad input: a batch may hold at most ${TRPC_MAX_BATCH} calls, this one has ${paths.length}`);
  }
  const metas = paths.map(lookup);
  if (paths.length > 1) {
    const alone = paths.find((_, i) => metas[i]?.unbatchable);
    if (alone) throw badInput(`bad input: ${alone} cannot be batched; send it as a request of its own`);
  }
  if (metas.some((m) => m === undefined)) return req; // tRPC answers unknown procedures with 404
  const limit = Math.max(...metas.map((m) => m?.maxBodyBytes ?? TRPC_BODY_LIMIT));
  const declared = Number(req.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > limit) {
    throw new DomainError('too_large', `request body is larger than the limit of ${formatBytes(limit)}`, {
      maxBytes: limit,
    });
  }
  const input = url.searchParams.get('input') ?? '';
  if (jsonDepth(input, TRPC_MAX_DEPTH) > TRPC_MAX_DEPTH) {
    throw badInput(`bad input: input nests deeper than ${TRPC_MAX_DEPTH} levels`);
  }
  if (req.method !== 'POST') return req;
  const text = await readCapped(req.body, limit, 'request body');
  if (jsonDepth(text, TRPC_MAX_DEPTH) > TRPC_MAX_DEPTH) {
    throw badInput(`bad input: request body nests deeper than ${TRPC_MAX_DEPTH} levels`);
  }
  const headers = new Headers(req.headers);
  headers.delete('content-length');
  return new Request(req.url, { method: req.method, headers, body: text, signal: req.signal });
}
