import type { AuditAction } from '@trueboard/contracts';
import { auditEvents, type DbOrTx } from '@trueboard/db';
import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from './actor';

export interface AuditInput {
  action: AuditAction;
  entityType: string;
  entityId: string;
  /** the dataset example the event is about (corrections) */
  exampleId?: string;
  before?: unknown;
  after?: unknown;
}

/** Appends one audit event; call inside the transaction that makes the change. */
export async function recordAudit(db: DbOrTx, actor: Actor, e: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorUserId: actor.kind === 'user' ? actor.userId : null,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    exampleId: e.exampleId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}

/** History of one entity in deterministic (created_at, id) order. */
export function listAudit(db: DbOrTx, entityType: string, entityId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, entityType), eq(auditEvents.entityId, entityId)))
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
}
