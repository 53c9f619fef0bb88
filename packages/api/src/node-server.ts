import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { attachSocketAddress } from './client-address';
import type { FetchHandler } from './handler';

/** Adapts a fetch handler to node:http (tests and runner-facing deployments without Next.js). */
export function toNodeListener(handler: FetchHandler) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const host = req.headers.host ?? 'localhost';
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (Array.isArray(v)) for (const x of v) headers.append(k, x);
        else if (v !== undefined) headers.set(k, v);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      // a malformed Host still gets an answer (the handler refuses it with 421), not a crash
      const url = `http://${/^[\w.:[\]-]+$/.test(host) ? host : 'localhost'}${req.url ?? '/'}`;
      const request = new Request(URL.canParse(url) ? url : 'http://localhost/', {
        method: req.method,
        headers,
        body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : undefined,
        signal: controller.signal,
        // Node's fetch needs duplex for streamed request bodies
        duplex: 'half',
      } as RequestInit);
      // the peer address rides on the Request object, not a header a client could send
      attachSocketAddress(request, req.socket.remoteAddress);
      const response = await handler(request);
      res.statusCode = response.status;
      for (const [k, v] of response.headers) {
        if (k === 'set-cookie') continue;
        res.setHeader(k, v);
      }
      const cookies = response.headers.getSetCookie();
      if (cookies.length) res.setHeader('set-cookie', cookies);
      if (response.body) {
        Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>).pipe(res);
      } else res.end();
    } catch (err) {
      console.error(err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  };
}

export function serve(handler: FetchHandler, port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(toNodeListener(handler));
    server.on('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
