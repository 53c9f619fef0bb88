import { randomUUID } from 'node:crypto';
import { type Actor, type Platform, resolveSecret } from '@trueboard/core';
import { type HostConfig, hostPolicy } from './allowed-hosts';
import { viaHttps } from './client-address';

export const SESSION_COOKIE = 'tb_session';

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export function bearer(req: Request): string | null {
  const h = req.headers.get('authorization');
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1] ?? null;
}

export interface Context {
  platform: Platform;
  actor: Actor;
  requestId: string;
  /** cookie-authenticated requests must pass the same-origin check before mutating */
  viaCookie: boolean;
  req: Request;
  resHeaders: Headers;
}

/**
 * The id that ties a response to its log lines: the caller's `x-request-id` when it is a plain
 * token (so a proxy's id carries through), else a fresh one — never free text into the logs.
 */
export function requestIdOf(req: Request): string {
  const given = req.headers.get('x-request-id');
  return given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

/** One context factory for the route handler, tests and server-side callers. */
export async function createContext(
  platform: Platform,
  req: Request,
  resHeaders: Headers,
  requestId = requestIdOf(req),
): Promise<Context> {
  const token = bearer(req);
  const cookie = token ? null : readCookie(req.headers.get('cookie'), SESSION_COOKIE);
  const actor = await resolveSecret(platform, token ?? cookie);
  return {
    platform,
    actor,
    requestId,
    viaCookie: !token && !!cookie,
    req,
    resHeaders,
  };
}

export function sessionCookie(token: string, expires: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expires.toUTCString()}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure = false): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * Whether session cookies get `Secure`: the configured public URL is https, or this request came
 * over HTTPS (directly, or per X-Forwarded-Proto from a trusted proxy: TRUEBOARD_TRUST_PROXY).
 */
export function secureCookies(ctx: Pick<Context, 'req' | 'platform'>): boolean {
  const { publicUrl, trustProxy } = ctx.platform.config;
  return publicUrl?.startsWith('https:') === true || viaHttps(ctx.req, trustProxy);
}

/**
 * Same-origin check for cookie-authenticated mutations (CSRF defence on top of SameSite=Lax). The
 * host compared is the one the Host check uses: X-Forwarded-Host counts only from a trusted proxy.
 */
export function sameOrigin(req: Request, config: HostConfig): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return req.headers.get('sec-fetch-site') !== 'cross-site';
  const host = hostPolicy(config).requestedHost(req.headers, new URL(req.url).host);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
