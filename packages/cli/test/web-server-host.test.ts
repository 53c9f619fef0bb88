import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestPlatform, testPlatform } from '@trueboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../src/web-server';

// The server `trueboard start` runs: the API checks the Host itself; pages are checked in front of
// Next.js. `web: false` keeps Next.js out of the test; the check runs before either answers.
let p: TestPlatform;
let server: Awaited<ReturnType<typeof startHttpServer>>;

beforeAll(async () => {
  p = await testPlatform({ allowedHosts: ['runner-host.lan'] });
  server = await startHttpServer(p, { port: 0, host: '127.0.0.1', web: false });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await p.close();
});

function get(path: string, host: string) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('trueboard start: Host validation (DNS rebinding)', () => {
  it('refuses pages under a foreign Host with 421 and says which setting to use', async () => {
    const r = await get('/account', 'rebind.evil.example');
    expect(r.status).toBe(421);
    expect(r.body).toBe(
      'this server does not answer to the host "rebind.evil.example": open it by its configured address, or add the name to TRUEBOARD_ALLOWED_HOSTS (or set TRUEBOARD_PUBLIC_URL)\n',
    );
    expect((await get('/api/health', 'rebind.evil.example')).status).toBe(421);
  });

  it('serves loopback and configured hosts', async () => {
    expect((await get('/account', 'localhost:3000')).status).toBe(404); // past the check: the web app is off
    expect((await get('/account', 'runner-host.lan:3000')).status).toBe(404);
    expect((await get('/api/health', 'runner-host.lan')).status).toBe(200);
  });
});
