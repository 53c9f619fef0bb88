import { MethodInput } from '@trueboard/contracts';
import { methods, submissions } from '@trueboard/db';
import { and, eq, exists, sql } from 'drizzle-orm';
import { parse, requireUser } from './accounts';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { conflict } from './errors';
import type { Platform } from './platform';
import { requireTeamRole, roleIn, teamBySlug } from './teams';

export async function createMethod(p: Platform, actor: Actor, input: unknown) {
  const u = requireUser(actor);
  const v = parse(MethodInput, input, 'method');
  return p.db.transaction(async (tx) => {
    const team = await teamBySlug(tx, v.team);
    await requireTeamRole(tx, u, team.id, 'member');
    const [m] = await tx
      .insert(methods)
      .values({
        teamId: team.id,
        name: v.name,
        description: v.description,
        paperUrl: v.paperUrl ?? null,
        codeUrl: v.codeUrl ?? null,
        hyperparameters: v.hyperparameters,
        tags: v.tags,
        createdBy: u.userId,
      })
      .onConflictDoNothing()
      .returning();
    if (!m) throw conflict(`team "${v.team}" already has a method named "${v.name}"`);
    await recordAudit(tx, u, { action: 'method.created', entityType: 'method', entityId: m.id, after: v });
    return m;
  });
}

/** What pages and the CLI show of a method (not its team or creator). */
export const methodColumns = {
  id: methods.id,
  name: methods.name,
  description: methods.description,
  paperUrl: methods.paperUrl,
  codeUrl: methods.codeUrl,
  hyperparameters: methods.hyperparameters,
  tags: methods.tags,
};

/**
 * A team's methods. Members of the team (and platform admins) see all of them; everyone else sees
 * only methods with at least one public submission, so a private method's name never leaks.
 */
export async function listTeamMethods(p: Platform, actor: Actor, teamSlug: string) {
  const team = await teamBySlug(p.db, teamSlug);
  const insider = actor.kind === 'user' && (await roleIn(p.db, actor, team.id)) !== null;
  return p.db
    .select({ ...methodColumns, createdAt: methods.createdAt })
    .from(methods)
    .where(
      and(
        eq(methods.teamId, team.id),
        insider
          ? undefined
          : exists(
              p.db
                .select({ one: sql`1` })
                .from(submissions)
                .where(and(eq(submissions.methodId, methods.id), eq(submissions.isPublic, true))),
            ),
      ),
    )
    .orderBy(methods.name);
}
