import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../lib/safe-next';

// what `new URLSearchParams(location.search).get('next')` hands the page for a given query string
const nextOf = (query: string) => new URLSearchParams(query).get('next');

describe('safeNextPath (where sign-in goes afterwards)', () => {
  it('keeps paths on this site, with their query and fragment', () => {
    expect(safeNextPath('/submit')).toBe('/submit');
    expect(safeNextPath('/b/spider-dev/corrections?example=12')).toBe('/b/spider-dev/corrections?example=12');
    expect(safeNextPath('/s/1#log')).toBe('/s/1#log');
    expect(safeNextPath('/')).toBe('/');
    expect(safeNextPath(nextOf('next=/b/x/corrections%3Fexample%3D3'))).toBe('/b/x/corrections?example=3');
  });

  it('falls back to /account without a usable value', () => {
    expect(safeNextPath(null)).toBe('/account');
    expect(safeNextPath(undefined)).toBe('/account');
    expect(safeNextPath('')).toBe('/account');
    expect(safeNextPath(`/${'a'.repeat(3000)}`)).toBe('/account');
    expect(safeNextPath('submit')).toBe('/account');
  });

  it('refuses protocol-relative and backslash forms (the reported /%5Cevil.example/phish)', () => {
    expect(safeNextPath(nextOf('next=/%5Cevil.example/phish'))).toBe('/account');
    expect(safeNextPath('/\\evil.example/phish')).toBe('/account');
    expect(safeNextPath('\\\\evil.example')).toBe('/account');
    expect(safeNextPath('//evil.example/phish')).toBe('/account');
    expect(safeNextPath('///evil.example')).toBe('/account');
    expect(safeNextPath('/a\\b')).toBe('/account');
  });

  it('refuses encoded slashes and backslashes that a second decoding would turn into another host', () => {
    expect(safeNextPath('/%2F%2Fevil.example')).toBe('/account');
    expect(safeNextPath('/%2fevil.example')).toBe('/account');
    expect(safeNextPath('/%5Cevil.example')).toBe('/account');
    expect(safeNextPath('/%255Cevil.example')).toBe('/account');
    expect(safeNextPath(nextOf('next=%2F%2Fevil.example'))).toBe('/account');
    expect(safeNextPath('/%25252525252F')).toBe('/account'); // still decoding after three rounds
    expect(safeNextPath('/%E0%A4%A')).toBe('/account'); // malformed escape
  });

  it('refuses tabs, newlines and other control characters, raw or encoded', () => {
    expect(safeNextPath('/\t/evil.example')).toBe('/account');
    expect(safeNextPath('/\n/evil.example')).toBe('/account');
    expect(safeNextPath('/\r\n/evil.example')).toBe('/account');
    expect(safeNextPath('/%09/evil.example')).toBe('/account');
    expect(safeNextPath(nextOf('next=/%0A/evil.example'))).toBe('/account');
    expect(safeNextPath('/\u0000')).toBe('/account');
    expect(safeNextPath(' //evil.example')).toBe('/account');
  });

  it('refuses absolute URLs and other schemes', () => {
    expect(safeNextPath('https://evil.example/phish')).toBe('/account');
    expect(safeNextPath('http:evil.example')).toBe('/account');
    expect(safeNextPath('javascript:alert(1)')).toBe('/account');
    expect(safeNextPath('JavaScript:alert(document.cookie)')).toBe('/account');
    expect(safeNextPath('data:text/html,<script>alert(1)</script>')).toBe('/account');
    expect(safeNextPath('%2F%2Fevil.example')).toBe('/account');
  });

  it('keeps what passes on the same origin however a browser resolves it', () => {
    for (const ok of ['/submit', '/javascript:alert(1)', '/a/../b', '/%E2%9C%93']) {
      const out = safeNextPath(ok);
      expect(new URL(out, 'https://trueboard.example').origin).toBe('https://trueboard.example');
    }
    expect(safeNextPath('/a/../b')).toBe('/b');
  });
});
