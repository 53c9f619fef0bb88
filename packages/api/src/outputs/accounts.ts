import { z } from 'zod';

/*
 * What the account procedures (auth, tokens, runner tokens, teams) return. Each is a plain
 * z.object: tRPC parses a procedure's result with it, and zod drops keys a schema does not name, so
 * a column added to a core query is not served until it is added here on purpose.
 */

const Role = z.enum(['admin', 'maintainer', 'reviewer', 'member']);

/** The caller's own account, as sign-up and sign-in answer it. */
export const SignedInUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
});

/** `auth.me`: the signed-in account, or null when signed out. */
export const Me = SignedInUser.extend({ createdAt: z.date() }).nullable();

export const Ok = z.object({ ok: z.boolean() });

/** A personal API token as its owner lists it: never its secret or hash. */
export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

/** A token just made: the only answer that carries its secret. */
export const CreatedApiToken = ApiToken.pick({
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
}).extend({ secret: z.string() });

export const RunnerToken = ApiToken.omit({ expiresAt: true });

export const CreatedRunnerToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  secret: z.string(),
});

/** A team the caller belongs to, with the caller's role there. */
export const MyTeam = z.object({ id: z.string(), slug: z.string(), name: z.string(), role: Role });

export const Team = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.date() });

export const TeamMember = z.object({ userId: z.string(), email: z.string(), name: z.string(), role: Role });

export const Membership = z.object({ teamId: z.string(), userId: z.string(), role: Role });
