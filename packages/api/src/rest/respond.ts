import { badInput, DomainError, formatBytes } from '@trueboard/core';
import { retryAfter, toRestError } from '../errors';
import { readCapped } from '../trpc-limits';

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

export function errorResponse(err: unknown, requestId: string): Response {
  const e = toRestError(err, requestId);
  // a refused upload was not read to its end: close the connection rather than parse the rest
  return json(e.body, e.status, {
    'x-request-id': requestId,
    ...retryAfter(e.status),
    ...(e.status === 413 ? { connection: 'close' } : {}),
  });
}

/** Reads a JSON body with a size cap (streamed: nothing past the cap is read); malformed JSON is a 400. */
export async function readJson(req: Request, maxBytes = 64 * 1024 * 1024): Promise<unknown> {
  const len = Number(req.headers.get('content-length') ?? '0');
  if (len > maxBytes) {
    throw new DomainError('too_large', `request body is larger than the limit of ${formatBytes(maxBytes)}`);
  }
  const text = await readCapped(req.body, maxBytes, 'request body');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badInput(`bad input: request body is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
