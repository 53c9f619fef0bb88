import { TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { asUnavailable, DomainError, type DomainErrorCode, describeIssues } from '@trueboard/core';
import { ZodError } from 'zod';

export const HTTP_STATUS: Record<DomainErrorCode, number> = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  lease_lost: 409,
  too_large: 413,
  quota_exceeded: 429,
  unavailable: 503,
};

/** Seconds a client should wait before retrying a 503 (the embedded server restarts within a few). */
export const RETRY_AFTER_SECONDS = 2;

/** `Retry-After` for the statuses that have one. */
export const retryAfter = (status: number): Record<string, string> =>
  status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};

const TRPC_CODE: Record<DomainErrorCode, TRPCError['code']> = {
  bad_input: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  lease_lost: 'CONFLICT',
  too_large: 'PAYLOAD_TOO_LARGE',
  quota_exceeded: 'TOO_MANY_REQUESTS',
  unavailable: 'SERVICE_UNAVAILABLE',
};

const outageLogs = new Map<string, number>();
/**
 * What the driver said when a request met an outage: the client gets 503, the operator the cause
 * (the innermost error of the chain; each distinct cause at most every 5 s).
 */
function logOutageCause(cause: unknown, requestId: string) {
  let root = cause;
  for (let depth = 0; root instanceof Error && root.cause !== undefined && depth < 5; depth++) root = root.cause;
  const { code } = root as { code?: unknown };
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${root instanceof Error ? root.message : String(root)}`;
  const now = Date.now();
  if (now - (outageLogs.get(text) ?? 0) < 5000) return;
  if (outageLogs.size > 100) outageLogs.clear();
  outageLogs.set(text, now);
  console.warn(`[${requestId}] database unavailable: ${text}`);
}

/** The one place domain errors become tRPC errors. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  const down = asUnavailable(err);
  if (down) return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: down.message, cause: down });
  if (err instanceof DomainError) return new TRPCError({ code: TRPC_CODE[err.code], message: err.message, cause: err });
  if (err instanceof ZodError)
    return new TRPCError({ code: 'BAD_REQUEST', message: describeIssues('input', err.issues), cause: err });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'internal error', cause: err });
}

export interface RestError {
  status: number;
  body: { error: { code: string; message: string; requestId: string; details?: unknown } };
}

/** The one place domain errors become REST responses; internal errors are logged, not leaked. */
export function toRestError(thrown: unknown, requestId: string): RestError {
  // a lost database connection is the same outage however deep it surfaced
  const down = asUnavailable(thrown);
  if (down && down !== thrown) logOutageCause(thrown, requestId);
  const err = down ?? thrown;
  if (err instanceof DomainError) {
    return {
      status: HTTP_STATUS[err.code],
      body: { error: { code: err.code, message: err.message, requestId, details: err.details } },
    };
  }
  if (err instanceof ZodError) {
    const message = describeIssues('request body', err.issues);
    return { status: 400, body: { error: { code: 'bad_input', message, requestId } } };
  }
  console.error(`[${requestId}]`, err);
  return {
    status: 500,
    body: { error: { code: 'internal', message: `internal error (request id ${requestId})`, requestId } },
  };
}

/**
 * An error found before tRPC runs (body or batch limits), in tRPC's own response shape so tRPC
 * clients show its message: one error per call of a batch. A refused body that was not read to
 * the end closes the connection, so the rest of it is never parsed as a next request.
 */
export function trpcEnvelopeError(err: unknown, requestId: string, calls: number, batch: boolean): Response {
  const e = toTRPCError(err);
  const status = e.cause instanceof DomainError ? HTTP_STATUS[e.cause.code] : e.code === 'BAD_REQUEST' ? 400 : 500;
  if (status === 500) console.error(`[${requestId}]`, err);
  const one = {
    error: {
      message: status === 500 ? `internal error (request id ${requestId})` : e.message,
      code: TRPC_ERROR_CODES_BY_KEY[e.code],
      data: { code: e.code, httpStatus: status, requestId },
    },
  };
  return new Response(JSON.stringify(batch ? Array.from({ length: Math.max(1, calls) }, () => one) : one), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': requestId,
      ...retryAfter(status),
      ...(status === 413 ? { connection: 'close' } : {}),
    },
  });
}
