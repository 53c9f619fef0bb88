export type DomainErrorCode =
  | 'bad_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'quota_exceeded'
  | 'lease_lost'
  | 'unavailable';

/** An error a user can act on; the API maps `code` to an HTTP / tRPC status in one place. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError('bad_input', message, details);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = 'you are not allowed to do this') => new DomainError('forbidden', message);
export const conflict = (message: string) => new DomainError('conflict', message);

/** What a caller is told while PostgreSQL cannot be reached (a crash, a restart, a network cut). */
export const DATABASE_UNAVAILABLE = 'the database is unavailable (it is restarting or unreachable); try again shortly';

// SQLSTATE class 08 (connection exception) and these: the server is shutting down, crashed or is
// still starting up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), or
// out of connection slots (53300)
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// the driver's own codes (postgres.js)
const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
// a socket's (node), when a socket call failed: a client hanging up mid-upload is ECONNRESET too,
// but without a syscall
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The `unavailable` DomainError when `err` (or an error it wraps: drizzle puts the driver's in
 * `cause`) says the database cannot be reached, else null. Any caller may then answer 503 and retry.
 */
export function asUnavailable(err: unknown): DomainError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DomainError) return e.code === 'unavailable' ? e : null;
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    const lost =
      typeof code === 'string'
        ? (SOCKET_CODES.has(code) && typeof syscall === 'string') ||
          DRIVER_CODES.has(code) ||
          UNAVAILABLE_SQLSTATES.has(code) ||
          /^08[0-9A-Z]{3}$/.test(code)
        : // node-postgres (pg-boss's pool) names a lost connection by message only
          /^Connection terminated/.test(e.message);
    if (lost) return new DomainError('unavailable', DATABASE_UNAVAILABLE);
  }
  return null;
}

/** Formats zod issues as `field.path: message; ...` prefixed with where the input came from. */
export function describeIssues(
  source: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  const parts = issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `bad input: ${source}: ${parts.join('; ')}${more}`;
}
