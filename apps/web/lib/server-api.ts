import { TRPCError } from '@trpc/server';
import { downloadBase, getPlatform, serverCaller } from '@trueboard/api';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';

/** The tRPC API called in-process with the visitor's cookies (server components only). */
export async function api() {
  return serverCaller(new Headers(await headers()));
}

/** Runs an API read; a NOT_FOUND becomes the not-found page; anything else goes to the error page. */
export async function load<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof TRPCError && err.code === 'NOT_FOUND') notFound();
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
