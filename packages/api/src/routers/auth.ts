import * as core from '@trueboard/core';
import { z } from 'zod';
import { clearSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../context';
import { publicProcedure, router, userProcedure } from '../trpc';

const secure = (req: Request) => new URL(req.url).protocol === 'https:';

export const authRouter = router({
  me: publicProcedure.query(async ({ ctx }) =>
    ctx.actor.kind === 'user' ? core.getUser(ctx.platform, ctx.actor) : null,
  ),
  signUp: publicProcedure
    .input(z.object({ email: z.string(), name: z.string(), password: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const user = await core.signUp(ctx.platform, input);
      const s = await core.createSession(ctx.platform, user.id);
      ctx.resHeaders.append('set-cookie', sessionCookie(s.token, s.expiresAt, secure(ctx.req)));
      return user;
    }),
  signIn: publicProcedure
    .input(z.object({ email: z.string(), password: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const r = await core.signIn(ctx.platform, input);
      ctx.resHeaders.append('set-cookie', sessionCookie(r.token, r.expiresAt, secure(ctx.req)));
      return r.user;
    }),
  signOut: userProcedure.mutation(async ({ ctx }) => {
    const cookie = readCookie(ctx.req.headers.get('cookie'), SESSION_COOKIE);
    if (cookie) await core.signOut(ctx.platform, cookie);
    ctx.resHeaders.append('set-cookie', clearSessionCookie());
    return { ok: true };
  }),
});
