import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net';
import { freshDatabase } from '@trueboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * postgres.js 3.4.9 fetches the array types on every new connection (`fetchArrayTypes`, started
 * from its ReadyForQuery handler) and nobody awaits that promise: when the connection dies during
 * the query, the rejection is unhandled and Node stops the process. That took `trueboard start`
 * down in CI while a killed PostgreSQL was restarting. patches/postgres+3.4.9.patch catches it;
 * the lost connection still reaches the waiting query through the driver's error path. The proxy
 * below resets the connection (ECONNRESET, as a killed server's socket does) at the type query.
 */

let target: URL;
let proxy: Server;
let cuts = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  target = new URL(await freshDatabase());
  // forwards to PostgreSQL and, the first time a client sends the type query, drops both sides
  proxy = createServer((client) => {
    const server = new NetSocket();
    sockets.add(client).add(server);
    server.connect(Number(target.port), target.hostname);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (cuts === 0 && chunk.includes('typarray')) {
        cuts++;
        // a reset, as a killed server's socket gives (ECONNRESET), not an orderly close
        client.resetAndDestroy();
        server.destroy();
        return;
      }
      server.write(chunk);
    });
    server.on('data', (chunk) => client.write(chunk));
    client.on('error', cut).on('close', cut);
    server.on('error', cut).on('close', cut);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
});

describe('a connection lost while the driver fetches the array types', () => {
  it('fails the waiting query with the connection error, leaves no unhandled rejection, and reconnects', async () => {
    const stray: unknown[] = [];
    const onStray = (reason: unknown) => stray.push(reason);
    process.on('unhandledRejection', onStray);
    const address = proxy.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const viaProxy = new URL(target);
    viaProxy.port = String(port);
    const sql = postgres(viaProxy.toString(), { max: 1, onnotice: () => {}, backoff: () => 0.05 });
    try {
      // the query waiting for that connection fails with the connection's error (a 503 upstream)
      await expect(sql`select 7 as n`).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(cuts).toBe(1);
      // and the next one is answered on a new connection
      expect(await sql<{ n: number }[]>`select 7 as n`).toEqual([{ n: 7 }]);
      // unhandled rejections are reported after the microtask queue drains
      await new Promise((r) => setTimeout(r, 50));
      expect(stray).toEqual([]);
    } finally {
      process.off('unhandledRejection', onStray);
      await sql.end({ timeout: 1 });
    }
  });
});
