import { DisplayName, Slug } from '@trueboard/contracts';
import { type DbOrTx, memberships, type Role, teams, users } from '@trueboard/db';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parse, requireUser } from './accounts';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { conflict, DomainError, forbidden, notFound } from './errors';
import type { Platform } from './platform';
import { checkTeamCreationQuota } from './quota';
import { assertNotThrottled, countFailure, memberLookupKey } from './throttle';

const RANK: Record<Role, number> = { member: 1, reviewer: 2, maintainer: 3, admin: 4 };
export const RoleSchema = z.enum(['admin', 'maintainer', 'reviewer', 'member']);

/** The actor's role in a team, or null; platform admins count as team admins everywhere. */
export async function roleIn(db: DbOrTx, actor: Actor, teamId: string): Promise<Role | null> {
  if (actor.kind !== 'user') return null;
  if (actor.isAdmin) return 'admin';
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, actor.userId)));
  return m?.role ?? null;
}

export async function requireTeamRole(db: DbOrTx, actor: Actor, teamId: string, min: Role): Promise<Role> {
  requireUser(actor);
  const role = await roleIn(db, actor, teamId);
  if (!role || RANK[role] < RANK[min]) throw forbidden(`this needs the ${min} role in the team`);
  return role;
}

export async function teamBySlug(db: DbOrTx, slug: string) {
  const [t] = await db.select().from(teams).where(eq(teams.slug, slug));
  if (!t) throw notFound(`team "${slug}"`);
  return t;
}

export const TeamInput = z.object({ slug: Slug, name: DisplayName(100) });

export async function createTeam(p: Platform, actor: Actor, input: z.input<typeof TeamInput>) {
  const u = requireUser(actor);
  const v = parse(TeamInput, input, 'team');
  return p.db.transaction(async (tx) => {
    if (!u.isAdmin) await checkTeamCreationQuota(tx, u.userId, p.config.userDaily.teams);
    const [team] = await tx.insert(teams).values(v).onConflictDoNothing().returning();
    if (!team) throw conflict(`the team slug "${v.slug}" is taken`);
    await tx.insert(memberships).values({ teamId: team.id, userId: u.userId, role: 'admin' });
    await recordAudit(tx, u, { action: 'team.created', entityType: 'team', entityId: team.id, after: v });
    await recordAudit(tx, u, {
      action: 'membership.added',
      entityType: 'team',
      entityId: team.id,
      after: { userId: u.userId, role: 'admin' },
    });
    return team;
  });
}

export const MemberInput = z.object({
  team: Slug,
  email: z.string().trim().toLowerCase().email(),
  role: RoleSchema,
});

/**
 * Adds a user to a team or changes their role (team admins only). An unknown email is said so
 * plainly (the admin has to ask the person to sign up first), but since anyone can make a team and
 * so be its admin, every miss counts against the caller and many misses lock their lookups: the
 * answer stays useful to an admin and useless for checking lists of addresses.
 */
export async function setMember(p: Platform, actor: Actor, input: z.input<typeof MemberInput>) {
  const v = parse(MemberInput, input, 'membership');
  const lookups = actor.kind === 'user' ? memberLookupKey(actor.userId) : null;
  await assertNotThrottled(p.db, [lookups], 'failed lookups of unknown email addresses');
  let unknownEmail = false;
  const added = p.db.transaction(async (tx) => {
    const team = await teamBySlug(tx, v.team);
    await requireTeamRole(tx, actor, team.id, 'admin');
    const [user] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${v.email}`);
    if (!user) {
      unknownEmail = true;
      throw new DomainError('not_found', `no account uses ${v.email}: ask them to sign up first, then add them`);
    }
    const [before] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.teamId, team.id), eq(memberships.userId, user.id)));
    await tx
      .insert(memberships)
      .values({ teamId: team.id, userId: user.id, role: v.role })
      .onConflictDoUpdate({ target: [memberships.teamId, memberships.userId], set: { role: v.role } });
    await recordAudit(tx, actor, {
      action: before ? 'membership.role_changed' : 'membership.added',
      entityType: 'team',
      entityId: team.id,
      before: before ? { userId: user.id, role: before.role } : undefined,
      after: { userId: user.id, role: v.role },
    });
    return { teamId: team.id, userId: user.id, role: v.role };
  });
  return added.catch(async (err: unknown) => {
    if (unknownEmail) await countFailure(p.db, [lookups]);
    throw err;
  });
}

export async function removeMember(p: Platform, actor: Actor, input: { team: string; email: string }) {
  const v = parse(MemberInput.pick({ team: true, email: true }), input, 'membership');
  await p.db.transaction(async (tx) => {
    const team = await teamBySlug(tx, v.team);
    await requireTeamRole(tx, actor, team.id, 'admin');
    const [row] = await tx
      .delete(memberships)
      .where(
        and(
          eq(memberships.teamId, team.id),
          sql`${memberships.userId} = (select id from users where lower(email) = ${v.email})`,
        ),
      )
      .returning();
    if (!row) throw notFound(`membership of ${v.email} in ${v.team}`);
    await recordAudit(tx, actor, {
      action: 'membership.removed',
      entityType: 'team',
      entityId: team.id,
      before: { userId: row.userId, role: row.role },
    });
  });
}

export async function listMyTeams(p: Platform, actor: Actor) {
  const u = requireUser(actor);
  return p.db
    .select({ id: teams.id, slug: teams.slug, name: teams.name, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, u.userId))
    .orderBy(teams.slug);
}

export async function listMembers(p: Platform, actor: Actor, slug: string) {
  const team = await teamBySlug(p.db, slug);
  await requireTeamRole(p.db, actor, team.id, 'member');
  return p.db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, team.id))
    .orderBy(users.email);
}
