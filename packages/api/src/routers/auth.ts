import * as core from '@trueboard/core';
import { clientAddress } from '../client-address';
import { type Context, clearSessionCookie, readCookie, SESSION_COOKIE, secureCookies, sessionCookie } from '../context';
import { Me, Ok, SignedInUser } from '../outputs/accounts';
import { publicProcedure, router, userProcedure } from '../trpc';

/** What core needs to know about the caller's connection (the address for per-network throttles). */
const requestInfo = (ctx: Context): core.AuthRequestInfo => ({
  clientIp: clientAddress(ctx.req, ctx.platform.config.trustProxy),
});

/** A throttled attempt also says when to retry in `Retry-After` (RFC 9110 10.2.3). */
async function withRetryAfter<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const seconds = err instanceof core.DomainError ? err.details?.retryAfterSeconds : undefined;
    if (typeof seconds === 'number') ctx.resHeaders.set('retry-after', String(seconds));
    throw err;
  }
}

export const authRouter = router({
  me: publicProcedure
    .output(Me)
    .query(async ({ ctx }) => (ctx.actor.kind === 'user' ? core.getUser(ctx.platform, ctx.actor) : null)),
  signUp: publicProcedure
    .meta({ access: 'public', unbatchable: true })
    .input(core.SignUpInput)
    .output(SignedInUser)
    .mutation(({ ctx, input }) =>
      withRetryAfter(ctx, async () => {
        const user = await core.signUp(ctx.platform, input, requestInfo(ctx));
        const s = await core.createSession(ctx.platform, user.id);
        ctx.resHeaders.append('set-cookie', sessionCookie(s.token, s.expiresAt, secureCookies(ctx)));
        return user;
      }),
    ),
  signIn: publicProcedure
    .meta({ access: 'public', unbatchable: true })
    .input(core.SignInInput)
    .output(SignedInUser)
    .mutation(({ ctx, input }) =>
      withRetryAfter(ctx, async () => {
        const r = await core.signIn(ctx.platform, input, requestInfo(ctx));
        ctx.resHeaders.append('set-cookie', sessionCookie(r.token, r.expiresAt, secureCookies(ctx)));
        return r.user;
      }),
    ),
  signOut: userProcedure.output(Ok).mutation(async ({ ctx }) => {
    const cookie = readCookie(ctx.req.headers.get('cookie'), SESSION_COOKIE);
    if (cookie) await core.signOut(ctx.platform, cookie);
    ctx.resHeaders.append('set-cookie', clearSessionCookie(secureCookies(ctx)));
    return { ok: true };
  }),
});
