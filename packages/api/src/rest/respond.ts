import { badInput, DomainError } from '@trueboard/core';
import { toRestError } from '../errors';

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

export function errorResponse(err: unknown, requestId: string): Response {
  const e = toRestError(err, requestId);
  return json(e.body, e.status, { 'x-request-id': requestId });
}

/** Reads a JSON body with a size cap; malformed JSON is a 400 naming the problem. */
export async function readJson(req: Request, maxBytes = 64 * 1024 * 1024): Promise<unknown> {
  const len = Number(req.headers.get('content-length') ?? '0');
  if (len > maxBytes) {
    throw new DomainError('too_large', `request body is larger than ${maxBytes} bytes`);
  }
  const text = await req.text();
  if (text.length > maxBytes) {
    throw new DomainError('too_large', `request body is larger than ${maxBytes} bytes`);
  }
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badInput(`bad input: request body is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
