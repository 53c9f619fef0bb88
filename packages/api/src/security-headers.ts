/**
 * Headers on every API response. Nothing under /api is a page: no response may run script, load
 * anything, be framed, or be sniffed into a type it does not declare. A route that sets its own
 * (stricter) CSP, like user-content downloads, keeps it.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export function withSecurityHeaders(res: Response): Response {
  let out = res;
  try {
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) if (!out.headers.has(k)) out.headers.set(k, v);
  } catch {
    // immutable headers (a Response from fetch()): copy into a mutable one
    out = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) if (!out.headers.has(k)) out.headers.set(k, v);
  }
  return out;
}
