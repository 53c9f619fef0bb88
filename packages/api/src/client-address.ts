import { isIP } from 'node:net';

/**
 * The socket's peer address travels with the Request object itself, never as a header: the
 * Next.js route handlers forward every incoming header, so a header (even one the Node adapter
 * strips) could be forged by any client of a `next start` deployment.
 */
const socketAddresses = new WeakMap<Request, string>();
let warnedUntrusted = false;

/** Records the TCP peer of a request (called by the Node adapter, which sees the socket). */
export function attachSocketAddress(req: Request, address: string | undefined): Request {
  if (address) socketAddresses.set(req, address);
  return req;
}

/**
 * The client's address: the socket peer; with `trustProxy` = N hops, the address the N-th proxy
 * from us saw, read from the right of X-Forwarded-For (entries further left are the client's own
 * claims). Null when unknown (e.g. under `next start` with no trusted proxy).
 */
export function clientAddress(req: Request, trustProxy: number): string | null {
  const socket = socketAddresses.get(req) ?? null;
  if (trustProxy <= 0) {
    if (!warnedUntrusted && req.headers.has('x-forwarded-for')) {
      warnedUntrusted = true;
      console.warn(
        'trueboard: requests carry X-Forwarded-For but TRUEBOARD_TRUST_PROXY is 0, so it is ignored; behind a reverse proxy set TRUEBOARD_TRUST_PROXY=1, or every client shares the proxy address for sign-in limits',
      );
    }
    return socket;
  }
  const forwarded = (req.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!forwarded.length) return socket;
  return bareAddress(forwarded[Math.max(0, forwarded.length - trustProxy)]) ?? socket;
}

/** An X-Forwarded-For entry without port or brackets (`[2001:db8::1]:443`, `203.0.113.7:80`). */
function bareAddress(entry: string | undefined): string | null {
  if (!entry) return null;
  const a = /^\[([^\]]+)\](?::\d+)?$/.exec(entry)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry)?.[1] ?? entry;
  return isIP(a) ? a : null;
}

/** True when the client reached us over HTTPS: our own URL, or a trusted proxy's X-Forwarded-Proto. */
export function viaHttps(req: Request, trustProxy: number): boolean {
  if (new URL(req.url).protocol === 'https:') return true;
  if (trustProxy <= 0) return false;
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https';
}
