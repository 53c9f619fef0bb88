import { TRPCError } from '@trpc/server';
import { DomainError, type DomainErrorCode } from '@trueboard/core';
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
};

const TRPC_CODE: Record<DomainErrorCode, TRPCError['code']> = {
  bad_input: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  lease_lost: 'CONFLICT',
  too_large: 'PAYLOAD_TOO_LARGE',
  quota_exceeded: 'TOO_MANY_REQUESTS',
};

/** The one place domain errors become tRPC errors. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof DomainError) return new TRPCError({ code: TRPC_CODE[err.code], message: err.message, cause: err });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'internal error', cause: err });
}

export interface RestError {
  status: number;
  body: { error: { code: string; message: string; requestId: string; details?: unknown } };
}

/** The one place domain errors become REST responses; internal errors are logged, not leaked. */
export function toRestError(err: unknown, requestId: string): RestError {
  if (err instanceof DomainError) {
    return {
      status: HTTP_STATUS[err.code],
      body: { error: { code: err.code, message: err.message, requestId, details: err.details } },
    };
  }
  if (err instanceof ZodError) {
    const msg = err.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    return { status: 400, body: { error: { code: 'bad_input', message: `bad input: ${msg}`, requestId } } };
  }
  console.error(`[${requestId}]`, err);
  return {
    status: 500,
    body: { error: { code: 'internal', message: `internal error (request id ${requestId})`, requestId } },
  };
}
