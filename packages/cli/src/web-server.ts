import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandler, hostPolicy, toNodeListener } from '@trueboard/api';
import type { Platform } from '@trueboard/core';

export const WEB_DIR = fileURLToPath(new URL('../../../apps/web', import.meta.url));

/**
 * One HTTP server: /api/* goes straight to the platform's fetch handler (sharing this process's
 * platform), everything else to the built Next.js app. `web: false` serves the API alone.
 */
export async function startHttpServer(
  p: Platform,
  opts: { port: number; host: string; web: boolean },
): Promise<Server> {
  const api = toNodeListener(createHandler(() => Promise.resolve(p)));
  const hosts = hostPolicy(p.config);
  let page: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
  if (opts.web) {
    if (!existsSync(join(WEB_DIR, '.next', 'BUILD_ID'))) {
      throw new Error(
        'the web app is not built: run `npm start` (it builds first) or `npx turbo run build`, or pass --no-web',
      );
    }
    const { default: next } = await import('next');
    const app = next({ dev: false, dir: WEB_DIR, hostname: opts.host, port: opts.port });
    await app.prepare();
    page = app.getRequestHandler();
  }
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/') || req.url === '/api') return void api(req, res);
    // the API checks the Host itself; pages too, against DNS rebinding
    const host = hosts.requestedHost(headersOf(req), 'localhost');
    if (!hosts.allows(host)) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(`${hosts.refusal(host)}\n`);
      return;
    }
    if (page) return void page(req, res);
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end('the web app is disabled (--no-web); the API is at /api\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const name of ['host', 'x-forwarded-host']) {
    const v = req.headers[name];
    if (typeof v === 'string') h.set(name, v);
  }
  return h;
}
