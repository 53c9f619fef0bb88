import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@trueboard/api';

export interface ServerOptions {
  server: string;
  token?: string;
}

export function apiHeaders(o: ServerOptions): Record<string, string> {
  return o.token ? { authorization: `Bearer ${o.token}` } : {};
}

/** Typed tRPC client for CLI commands that talk to a running platform; queries are retried (see `send`). */
export function trpcClient(o: ServerOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${o.server.replace(/\/$/, '')}/api/trpc`,
        headers: () => apiHeaders(o),
        // httpLink sends queries as GET, mutations as POST
        fetch: (url, init) => send(String(url), init ?? {}, (init?.method ?? 'GET') === 'GET'),
      }),
    ],
  });
}

/** How long idempotent calls keep retrying while the platform answers 503 (its database restarting). */
const RETRY_BUDGET_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * fetch, and for an idempotent call (a GET, or an upload with an `Idempotency-Key`) again while
 * the platform answers 502/503/504: it says so on stderr, waits its `Retry-After` (or a doubling
 * delay) and tries again, for up to a minute. Other calls are sent once: repeating them could do
 * their work twice.
 */
export async function send(url: string, init: RequestInit, idempotent: boolean): Promise<Response> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, init);
    if (!idempotent || ![502, 503, 504].includes(res.status)) return res;
    const wait = Math.min(
      15_000,
      Math.max(Number(res.headers.get('retry-after')) * 1000 || 0, 1000 * 2 ** (attempt - 1)),
    );
    if (Date.now() + wait - started > RETRY_BUDGET_MS) return res;
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { error?: { message?: unknown } } | null;
    const message = body?.error?.message;
    const why = typeof message === 'string' ? message : `${res.status} ${res.statusText}`;
    process.stderr.write(`trueboard: ${why}; retrying in ${Math.round(wait / 1000)} s\n`);
    await sleep(wait);
  }
}

/** An error answer of the platform, with the request id that finds it in the server's log. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    message: string,
    readonly status: number,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

/** Calls a REST endpoint and turns `{error: {message}}` bodies into thrown errors. */
export async function rest<T>(o: ServerOptions, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { ...apiHeaders(o), ...(init.headers as Record<string, string> | undefined) };
  const idempotent = (init.method ?? 'GET') === 'GET' || 'idempotency-key' in headers;
  try {
    res = await send(`${o.server.replace(/\/$/, '')}${path}`, { ...init, headers }, idempotent);
  } catch (err) {
    throw new Error(
      `cannot reach ${o.server} (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : err})`,
    );
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const msg = (body as { error?: { message?: string } } | null)?.error?.message ?? `${res.status} ${res.statusText}`;
    throw new ServerError(msg, res.status, res.headers.get('x-request-id'));
  }
  return body as T;
}
