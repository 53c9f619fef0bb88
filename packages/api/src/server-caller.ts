import { createContext } from './context';
import { getPlatform } from './platform-singleton';
import { appRouter } from './router';
import { createCallerFactory } from './trpc';

const createCaller = createCallerFactory(appRouter);

/**
 * The tRPC router called in-process by server-rendered pages, with the visitor's cookies: the same
 * procedures, context and access rules as over HTTP, without the round trip.
 */
export async function serverCaller(headers: Headers) {
  const platform = await getPlatform();
  const ctx = await createContext(platform, new Request('http://internal/', { headers }), new Headers());
  return createCaller(ctx);
}
