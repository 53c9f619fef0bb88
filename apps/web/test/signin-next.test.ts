import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freshDatabase } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built app under plain `next start`: the sign-in page decides on the server where the form
// goes after success (`data-next`, the value the client-side router is handed), so an open
// redirect shows in the HTML without a browser. The unit tests of safeNextPath cover the forms.
const WEB = fileURLToPath(new URL('..', import.meta.url));
const NEXT_BIN = join(createRequire(import.meta.url).resolve('next/package.json'), '..', 'dist', 'bin', 'next');

let child: ChildProcess;
let base = '';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: WEB,
    env: {
      ...process.env,
      DATABASE_URL: await freshDatabase(),
      TRUEBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-web-')),
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('next start did not come up');
}, 120_000);

afterAll(() => {
  child.kill('SIGTERM');
});

async function nextOf(page: string, query: string) {
  const html = await (await fetch(`${base}/${page}?${query}`)).text();
  const m = /<form[^>]* data-next="([^"]*)"/.exec(html);
  if (!m) throw new Error(`no data-next on /${page}`);
  return m[1]?.replace(/&amp;/g, '&');
}

describe('sign-in `next` at the page level', () => {
  it('sends the reported /%5Cevil.example/phish, and other foreign targets, to /account', async () => {
    for (const q of [
      'next=/%5Cevil.example/phish',
      'next=//evil.example',
      'next=/%09/evil.example',
      'next=https://evil.example/',
      'next=javascript:alert(1)',
      'next=/%252F%252Fevil.example',
    ]) {
      expect([q, await nextOf('signin', q)]).toEqual([q, '/account']);
    }
  });

  it('keeps a path on this site, and carries it to the sign-up page and back', async () => {
    expect(await nextOf('signin', 'next=/b/spider-dev/corrections%3Fexample%3D7')).toBe(
      '/b/spider-dev/corrections?example=7',
    );
    expect(await nextOf('signup', 'next=/submit')).toBe('/submit');
    const html = await (await fetch(`${base}/signin?next=/submit`)).text();
    expect(html).toContain('href="/signup?next=%2Fsubmit"');
  });
});
