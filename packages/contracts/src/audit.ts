import { z } from 'zod';

/** The closed set of audited actions; the database check constraint is generated from it. */
export const AuditAction = z.enum([
  'user.created',
  'team.created',
  'membership.added',
  'membership.role_changed',
  'membership.removed',
  'api_token.created',
  'api_token.revoked',
  'runner_token.created',
  'runner_token.revoked',
  'benchmark.imported',
  'dataset_version.released',
  'method.created',
  'submission.created',
  'submission.queued',
  'submission.started',
  'submission.finished',
  'submission.failed',
  'submission.cancelled',
  'submission.rerun',
  'run.lease_expired',
  'correction.proposed',
  'correction.reviewed',
  'correction.approved',
  'correction.rejected',
  'correction.withdrawn',
  'correction.superseded',
  'correction.released',
  'correction.validated',
]);
export type AuditAction = z.infer<typeof AuditAction>;
