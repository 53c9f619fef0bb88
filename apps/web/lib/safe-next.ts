const BASE = 'http://trueboard.invalid';
const FALLBACK = '/account';

/**
 * Where to go after signing in: `next` only when it is a path on this site, else `fallback`.
 *
 * Browsers read `/\evil.example` and `//evil.example` as other hosts, drop tabs and newlines
 * inside URLs (`/\t/evil.example` becomes `//evil.example`), and routers may decode once more
 * (`/%2F%2Fevil.example`), so anything with a backslash or a control character, or whose decoded
 * forms start with two slashes, is refused rather than cleaned up. What passes is re-read
 * against a fixed origin and must stay on it.
 */
export function safeNextPath(next: string | null | undefined, fallback = FALLBACK): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  let form = next;
  for (let decodings = 0; ; decodings++) {
    if (!form.startsWith('/') || /^\/[/\\]/.test(form) || form.includes('\\') || hasControl(form)) return fallback;
    let decoded: string;
    try {
      decoded = decodeURIComponent(form);
    } catch {
      return fallback; // a malformed escape: no link of ours produces one
    }
    if (decoded === form) break;
    if (decodings === 3) return fallback; // still changing after three decodings: refuse
    form = decoded;
  }
  const url = new URL(next, BASE);
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** C0 controls and DEL: URL parsers drop some (tab, newline) and stop at others. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
