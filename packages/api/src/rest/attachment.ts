/**
 * How user content leaves the platform: always as a download, never as something a browser renders
 * or runs on our origin. The stored media type of a blob is ignored (an uploader chose it); the
 * response type is fixed, sniffing is off, and the sandbox CSP keeps even a rendered response
 * script-less and in an opaque origin.
 */
export const USER_CONTENT_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

export const OCTET_STREAM = 'application/octet-stream';

// C0/C1 controls (header injection), bidi overrides (a name that displays as another extension)
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `attachment` with an RFC 6266 file name: an ASCII fallback in `filename=` and the exact name in
 * `filename*=UTF-8''…`. Only the last path segment is kept; nothing in the name can end the header.
 */
export function contentDisposition(path: string): string {
  const base = path.split(/[\\/]/).at(-1) ?? '';
  const name = base.replace(UNSAFE_IN_NAMES, '').trim() || 'download';
  // quotes, backslashes and % (some browsers percent-decode filename=) do not survive into the fallback
  const ascii = name.replace(/[^\x20-\x7e]|["%\\;]/g, '_');
  // RFC 5987 attr-char excludes ' ( ) * which encodeURIComponent leaves alone
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Headers for one piece of user content served as a download. */
export function attachmentHeaders(filename: string, contentType = OCTET_STREAM): Record<string, string> {
  return {
    'content-type': contentType,
    'content-disposition': contentDisposition(filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': USER_CONTENT_CSP,
    // no other site may embed it (an <img>/<script>/<video> of ours in their page)
    'cross-origin-resource-policy': 'same-origin',
  };
}
