import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@trueboard/api';

export interface ServerOptions {
  server: string;
  token?: string;
}

export function apiHeaders(o: ServerOptions): Record<string, string> {
  return o.token ? { authorization: `Bearer ${o.token}` } : {};
}

/** Typed tRPC client for CLI commands that talk to a running platform. */
export function trpcClient(o: ServerOptions) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${o.server.replace(/\/$/, '')}/api/trpc`, headers: () => apiHeaders(o) })],
  });
}

/** Calls a REST endpoint and turns `{error: {message}}` bodies into thrown errors. */
export async function rest<T>(o: ServerOptions, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${o.server.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { ...apiHeaders(o), ...(init.headers as Record<string, string> | undefined) },
    });
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
    throw new Error(msg);
  }
  return body as T;
}
