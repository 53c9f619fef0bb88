/** The runner protocol operations, used to name errors ("server refused claim (401): ..."). */
export type Operation =
  | 'register'
  | 'previous'
  | 'claim'
  | 'heartbeat'
  | 'progress'
  | 'logs'
  | 'complete'
  | 'fail'
  | 'release'
  | 'blob'
  | 'validation-claim'
  | 'validation-result'
  | 'validation-fail';

/**
 * An error talking to the platform. `status` is the HTTP status, or undefined when the server could not
 * be reached. `transient` errors (network, timeouts, 5xx) were already retried and may succeed later.
 */
export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    message: string,
    readonly operation: Operation,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/**
 * Whether the platform refused a call about a run because the run is no longer this runner's: 409
 * (lease lost, or the run was cancelled) or 404 (a run, or a blob of a run, it does not hold).
 */
export function refusesRun(e: unknown): e is PlatformError {
  return e instanceof PlatformError && (e.status === 409 || e.status === 404);
}

export async function httpError(operation: Operation, res: Response): Promise<PlatformError> {
  let message = res.statusText || 'no message';
  let code: string | undefined;
  const text = await res.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && isRecord(body.error)) {
      if (typeof body.error.message === 'string') message = body.error.message;
      if (typeof body.error.code === 'string') code = body.error.code;
    }
  } catch {
    if (text.trim() !== '') message = text.trim().slice(0, 500);
  }
  const transient = res.status >= 500;
  const verb = transient ? 'server error on' : 'server refused';
  return new PlatformError(`${verb} ${operation} (${res.status}): ${message}`, operation, res.status, code, transient);
}

export function networkError(operation: Operation, server: string, e: unknown): PlatformError {
  let reason = e instanceof Error ? e.message : String(e);
  if (e instanceof Error && e.name === 'TimeoutError') reason = 'request timed out';
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, ...) in `cause`
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause instanceof Error) reason = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return new PlatformError(`cannot reach ${server} for ${operation}: ${reason}`, operation, undefined, undefined, true);
}

export function unexpected(operation: Operation, detail: string): PlatformError {
  return new PlatformError(
    `unexpected ${operation} response from server: ${detail}`,
    operation,
    undefined,
    undefined,
    false,
  );
}

export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  if (issues.length > 3) shown.push(`and ${issues.length - 3} more`);
  return shown.join('; ');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
