import { type NextRequest, NextResponse } from 'next/server';

/*
 * Security headers on every page (the API under /api sets its own, stricter ones in
 * packages/api/src/security-headers.ts). Scripts run only with this request's nonce: Next.js reads
 * it from the request's CSP header and puts it on its own scripts; 'strict-dynamic' lets those load
 * the page's chunks. Style attributes stay allowed: React renders `style={…}` (ours and recharts')
 * as attributes on the server, and an attribute cannot run script.
 */
function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // React's dev build evaluates server stacks; production never needs eval
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const STATIC_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/** host[:port], lowercase, without the scheme's default port. */
const hostKey = (host: string) => host.toLowerCase().replace(/:(80|443)$/, '');

/** The host of TRUEBOARD_DOWNLOAD_ORIGIN (validated at start by the platform's config), if set. */
function downloadHost(): string | null {
  const v = process.env.TRUEBOARD_DOWNLOAD_ORIGIN;
  if (!v) return null;
  try {
    return hostKey(new URL(v).host);
  } catch {
    return null;
  }
}

/** The Host the visitor used; X-Forwarded-Host only from a trusted proxy (as the API reads it). */
function requestHost(request: NextRequest): string {
  const forwarded =
    Number(process.env.TRUEBOARD_TRUST_PROXY ?? 0) > 0
      ? request.headers.get('x-forwarded-host')?.split(',').at(-1)?.trim()
      : undefined;
  return hostKey(forwarded || request.headers.get('host') || '');
}

export function proxy(request: NextRequest) {
  const dl = downloadHost();
  if (dl && requestHost(request) === dl) {
    // the download origin serves user content only: no pages, so no sign-in form and no session there
    return new NextResponse('this origin only serves downloads\n', {
      status: 404,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        ...STATIC_HEADERS,
      },
    });
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  const csp = pageCsp(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  for (const [k, v] of Object.entries(STATIC_HEADERS)) response.headers.set(k, v);
  return response;
}

export const config = {
  // everything but the API, which the platform's handler answers (with its own headers)
  matcher: ['/((?!api/).*)'],
};
