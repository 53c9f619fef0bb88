export type DomainErrorCode =
  | 'bad_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'quota_exceeded'
  | 'lease_lost';

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
