import { TRPCError } from '@trpc/server';
import { downloadBase, getPlatform, serverCaller } from '@trueboard/api';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';

/** The tRPC API called in-process with the visitor's cookies (server components only). */
export async function api() {
  return serverCaller(new Headers(await headers()));
}

/** Runs an API read; NOT_FOUND or BAD_REQUEST become the not-found page; anything else goes to the error page. */
export async function load<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    // a hand-edited URL with out-of-bounds parameters names nothing that exists: not found, not a 500
    if (err instanceof TRPCError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) notFound();
    throw err;
  }
}

/** The signed-in user, or null. */
export async function me() {
  return (await api()).auth.me();
}

/** Prefix of download links: `TRUEBOARD_DOWNLOAD_ORIGIN` when set (user content on its own origin), else ''. */
export async function downloadOrigin(): Promise<string> {
  return downloadBase((await getPlatform()).config);
}
