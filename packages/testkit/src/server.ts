import type { AddressInfo } from 'node:net';
import { createHandler, serve } from '@trueboard/api';
import type { Platform } from '@trueboard/core';

/** Serves the platform's real fetch handler on a loopback port. */
export async function serveTestPlatform(p: Platform) {
  const server = await serve(
    createHandler(() => Promise.resolve(p)),
    0,
  );
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
