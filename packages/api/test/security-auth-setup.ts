import { serveTestPlatform, type TestPlatform, testPlatform } from '@trueboard/testkit';

/*
 * Setup and helpers of the authentication hardening tests of issue 9 (security-signin-throttle,
 * security-credentials, security-proxy-host). Each of those files starts its own platforms in
 * beforeAll and clears the throttle table before each test; this module only builds and tears down.
 */

export type Server = Awaited<ReturnType<typeof serveTestPlatform>>;
export interface Served {
  p: TestPlatform;
  srv: Server;
}

/** A platform reached directly, with no proxy in front and no extra hosts. */
export async function serveDirect(): Promise<Served> {
  const p = await testPlatform();
  return { p, srv: await serveTestPlatform(p) };
}

/** A platform behind one reverse proxy that terminates TLS for https://trueboard.example */
export async function serveProxied(): Promise<Served> {
  const q = await testPlatform({ trustProxy: 1, allowedHosts: ['.corp.example'] });
  return { p: q, srv: await serveTestPlatform(q) };
}

/** Closes every server before any platform, so no request is in flight when its database goes. */
export async function stopAll(...served: Served[]) {
  for (const s of served) await s.srv.close();
  for (const s of served) await s.p.close();
}

/** Every test starts with no failures counted anywhere. */
export async function clearThrottles(...served: Served[]) {
  for (const s of served) await s.p.sql`delete from auth_throttles`;
}

interface Answer {
  status: number;
  message: string;
  headers: Headers;
  cookie: string | undefined;
}

/** One tRPC mutation over HTTP, with extra headers; never batched. */
export async function mutate(srv: Server, path: string, input: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${srv.baseUrl}/api/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { error?: { message: string } };
  return {
    status: res.status,
    message: body.error?.message ?? '',
    headers: res.headers,
    cookie: res.headers.getSetCookie().find((c) => c.startsWith('tb_session=')),
  } satisfies Answer;
}

export const signIn = (srv: Server, email: string, password: string, headers: Record<string, string> = {}) =>
  mutate(srv, 'auth.signIn', { email, password }, headers);

/** How many unknown emails this test file has made; a live binding, so importers read the current count. */
export let n = 0;
export const unknownEmail = () => `nobody${++n}-${Date.now()}@example.org`;
