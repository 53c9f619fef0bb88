import { auditEvents, benchmarks, correctionReviews, corrections, datasetVersions, users } from '@trueboard/db';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { type Actor, actorUserId } from './actor';
import { benchmarkAndVersion, quorumOf, versionAnnotations } from './correction-annotations';
import { validationStates } from './correction-validation';
import { notFound } from './errors';
import type { Platform } from './platform';

/** Corrections of a benchmark, newest first, optionally in some states, each with its validation. */
export async function listCorrections(p: Platform, benchmarkId: string, states?: string[]) {
  const rows = await p.db
    .select({
      id: corrections.id,
      exampleId: corrections.exampleId,
      category: corrections.category,
      state: corrections.state,
      fields: corrections.fields,
      before: corrections.before,
      rationale: corrections.rationale,
      createdAt: corrections.createdAt,
      proposer: users.name,
      version: datasetVersions.number,
    })
    .from(corrections)
    .innerJoin(users, eq(users.id, corrections.proposedBy))
    .innerJoin(datasetVersions, eq(datasetVersions.id, corrections.datasetVersionId))
    .where(
      and(eq(corrections.benchmarkId, benchmarkId), states?.length ? inArray(corrections.state, states) : undefined),
    )
    .orderBy(desc(corrections.createdAt));
  const checks = await validationStates(
    p,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, validationStatus: mustHave(checks.get(r.id)) }));
}

function mustHave<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('validationStates returned no entry for a requested id');
  return v;
}

/**
 * One correction with its validation, its reviews and its audit history (append-only, in order).
 * `yours` says whether the caller proposed it (the page offers them withdrawing): the proposer's
 * user id stays in core, like a submission's submitter, and only their name is served.
 */
export async function getCorrection(p: Platform, id: string, actor: Actor = { kind: 'anonymous' }) {
  // The check's state is read before the correction row: a runner's answer writes both in one
  // transaction, so a status read as answered always comes with its evidence (read the other way
  // round, an answer landing in between showed `valid` with no evidence).
  const validationStatus = (await validationStates(p, [id])).get(id);
  const [row] = await p.db
    .select({ c: corrections, proposer: users.name, version: datasetVersions.number })
    .from(corrections)
    .innerJoin(users, eq(users.id, corrections.proposedBy))
    .innerJoin(datasetVersions, eq(datasetVersions.id, corrections.datasetVersionId))
    .where(eq(corrections.id, id));
  if (!row) throw notFound('correction');
  const reviews = await p.db
    .select({
      decision: correctionReviews.decision,
      comment: correctionReviews.comment,
      createdAt: correctionReviews.createdAt,
      reviewer: users.name,
    })
    .from(correctionReviews)
    .innerJoin(users, eq(users.id, correctionReviews.reviewerId))
    .where(eq(correctionReviews.correctionId, id))
    .orderBy(asc(correctionReviews.createdAt));
  const history = await p.db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      createdAt: auditEvents.createdAt,
      actor: users.name,
      before: auditEvents.before,
      after: auditEvents.after,
      exampleId: auditEvents.exampleId,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(and(eq(auditEvents.entityType, 'correction'), eq(auditEvents.entityId, id)))
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
  const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, row.c.benchmarkId));
  return {
    ...row.c,
    yours: isProposer(actor, row.c.proposedBy),
    proposer: row.proposer,
    version: row.version,
    family: b?.family ?? null,
    validationStatus: mustHave(validationStatus),
    reviews,
    history,
    quorum: b ? quorumOf(b) : 1,
  };
}

/** Whether the actor is the signed-in user who proposed a correction (an admin is not, by this). */
function isProposer(actor: Actor, proposedBy: string): boolean {
  const userId = actorUserId(actor);
  return userId !== null && userId === proposedBy;
}

/** The current gold fields of one example of a version (what a proposal starts from). */
export async function exampleGold(p: Platform, input: { benchmark: string; version?: number; exampleId: string }) {
  const { b, version } = await benchmarkAndVersion(p, input.benchmark, input.version);
  const ann = await versionAnnotations(p, b.family, version);
  const fields = ann.annotations.get(input.exampleId);
  if (!fields) throw notFound(`example "${input.exampleId}" in version ${version.number} of "${b.id}"`);
  return { benchmark: b.id, version: version.number, exampleId: input.exampleId, fields, editable: ann.codec.editable };
}
