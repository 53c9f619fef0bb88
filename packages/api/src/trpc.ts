import { initTRPC, TRPCError } from '@trpc/server';
import { Slug } from '@trueboard/contracts';
import { describeIssues, requireTeamRole, teamBySlug } from '@trueboard/core';
import type { Role } from '@trueboard/db';
import { ZodError, z } from 'zod';
import { type Context, sameOrigin } from './context';
import { toTRPCError } from './errors';

/** Who may call a procedure. Every procedure declares one; the access test walks them all. */
export type Access = 'public' | 'user' | 'admin' | `team:${Role}`;
export interface Meta {
  access: Access;
  /** a body limit above the default 1 MiB (e.g. uploads of annotation files) */
  maxBodyBytes?: number;
  /** must be the only call in its request (sign-in: one password guess per request) */
  unbatchable?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      if (internal) console.error(`[${ctx?.requestId}]`, error.cause ?? error);
      const zod = error.cause instanceof ZodError ? error.cause : null;
      return {
        ...shape,
        message: internal
          ? `internal error (request id ${ctx?.requestId ?? 'unknown'})`
          : zod
            ? describeIssues('input', zod.issues)
            : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          requestId: ctx?.requestId,
          domainCode: (error.cause as { code?: string })?.code,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Deny by default: a procedure without declared access, or a cross-site cookie mutation, is refused. */
const guarded = t.procedure.use(async ({ meta, ctx, type, next }) => {
  if (!meta?.access) throw new TRPCError({ code: 'FORBIDDEN', message: 'procedure has no access rule' });
  if (type === 'mutation' && ctx.viaCookie && !sameOrigin(ctx.req, ctx.platform.config)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'cross-site request refused' });
  }
  const r = await next();
  if (r.ok) return r;
  // input validation and explicit TRPCErrors are already classified; anything else is a thrown
  // domain error (or a bug) that tRPC wrapped as INTERNAL_SERVER_ERROR
  if (r.error.code !== 'INTERNAL_SERVER_ERROR') throw r.error;
  throw toTRPCError(r.error.cause ?? r.error);
});

export const publicProcedure = guarded.meta({ access: 'public' });

export const userProcedure = guarded.meta({ access: 'user' }).use(({ ctx, next }) => {
  if (ctx.actor.kind !== 'user') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

export const adminProcedure = userProcedure.meta({ access: 'admin' }).use(({ ctx, next }) => {
  if (!ctx.actor.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', message: 'only platform admins can do this' });
  return next({ ctx });
});

/** Procedures on a team's resources: the input carries `team` (slug) and the caller needs `min` there. */
export const teamProcedure = (min: Role) =>
  userProcedure
    .meta({ access: `team:${min}` })
    .input(z.object({ team: Slug }))
    .use(async ({ ctx, input, next }) => {
      const team = await teamBySlug(ctx.platform.db, input.team);
      const role = await requireTeamRole(ctx.platform.db, ctx.actor, team.id, min);
      return next({ ctx: { ...ctx, team, role } });
    });
