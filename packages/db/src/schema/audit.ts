import { AuditAction } from '@trueboard/contracts';
import { bigserial, check, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { createdAt, oneOf } from './columns';
import { runners } from './runners';

/** Append-only: a trigger (migration 0001) rejects UPDATE, DELETE and TRUNCATE. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: createdAt(),
    actorUserId: uuid('actor_user_id').references(() => users.id),
    actorRunnerId: uuid('actor_runner_id').references(() => runners.id),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** the dataset example a correction event is about */
    exampleId: text('example_id'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    check('audit_events_action_valid', oneOf('action', AuditAction.options)),
    index('audit_events_entity_idx').on(t.entityType, t.entityId, t.createdAt, t.id),
  ],
);
