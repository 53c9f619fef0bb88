import { MethodInput } from '@trueboard/contracts';
import { methods, teams } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import { parse, requireUser } from './accounts';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { conflict } from './errors';
import type { Platform } from './platform';
import { requireTeamRole, teamBySlug } from './teams';

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

export async function listTeamMethods(p: Platform, teamSlug: string) {
  return p.db
    .select({
      id: methods.id,
      name: methods.name,
      description: methods.description,
      paperUrl: methods.paperUrl,
      codeUrl: methods.codeUrl,
      hyperparameters: methods.hyperparameters,
      tags: methods.tags,
      createdAt: methods.createdAt,
    })
    .from(methods)
    .innerJoin(teams, eq(teams.id, methods.teamId))
    .where(eq(teams.slug, teamSlug))
    .orderBy(methods.name);
}
