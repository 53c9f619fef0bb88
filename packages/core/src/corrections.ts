import { buffer } from 'node:stream/consumers';
import {
  type AnnotationCodec,
  type Annotations,
  type AuditAction,
  type CorrectionValidation,
  ImportCorrectionsInput,
  ProposeCorrectionInput,
  ReviewCorrectionInput,
} from '@trueboard/contracts';
import {
  artifacts,
  auditEvents,
  benchmarks,
  correctionReviews,
  corrections,
  type DbOrTx,
  datasetVersions,
  users,
} from '@trueboard/db';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { parse, requireUser } from './accounts';
import type { Actor, UserActor } from './actor';
import { recordAudit } from './audit';
import { badInput, conflict, DomainError, forbidden, notFound } from './errors';
import { codecFor } from './families';
import type { Platform } from './platform';
import { beginProposal, checkProposalRate, type ProposalAttempt } from './proposal-limit';
import { requireTeamRole } from './teams';

type Version = typeof datasetVersions.$inferSelect;
type Benchmark = typeof benchmarks.$inferSelect;

/** Reads a stored blob as text (dataset annotation files are small JSON/SQL files). */
export async function readBlobText(p: Platform, sha256: string): Promise<string> {
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha256));
  if (!a) throw notFound(`blob ${sha256}`);
  return (await buffer(p.storage.open(a.storageKey))).toString('utf8');
}

/** The local path of a stored blob when the storage is a local directory (validators open SQLite files). */
export async function blobPath(p: Platform, sha256: string): Promise<string | null> {
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, sha256));
  return a && p.storage.localPath ? p.storage.localPath(a.storageKey) : null;
}

const annotationCache = new WeakMap<Platform, Map<string, Promise<VersionAnnotations>>>();

export interface VersionAnnotations {
  codec: AnnotationCodec;
  /** texts of the annotation files, by path */
  files: Record<string, string>;
  annotations: Annotations;
}

/** A version's gold annotations, parsed once per content hash. */
export async function versionAnnotations(p: Platform, family: string, version: Version): Promise<VersionAnnotations> {
  let cache = annotationCache.get(p);
  if (!cache) {
    cache = new Map();
    annotationCache.set(p, cache);
  }
  let found = cache.get(version.contentHash);
  if (!found) {
    found = (async () => {
      const picked = codecFor(
        p,
        family,
        version.files.map((f) => f.path),
      );
      if (!picked)
        throw badInput(`bad input: this benchmark's dataset layout has no annotation format for corrections yet`);
      const files: Record<string, string> = {};
      for (const path of picked.files) {
        const f = version.files.find((x) => x.path === path);
        if (f) files[path] = await readBlobText(p, f.sha256);
      }
      return { codec: picked.codec, files, annotations: picked.codec.read(files) };
    })();
    found.catch(() => cache?.delete(version.contentHash));
    cache.set(version.contentHash, found);
  }
  return found;
}

async function benchmarkAndVersion(p: Platform, benchmarkId: string, number?: number) {
  const [b] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, benchmarkId));
  if (!b) throw notFound(`benchmark "${benchmarkId}"`);
  const versions = await p.db
    .select()
    .from(datasetVersions)
    .where(eq(datasetVersions.benchmarkId, b.id))
    .orderBy(desc(datasetVersions.number));
  const version = number === undefined ? versions[0] : versions.find((v) => v.number === number);
  if (!version) throw notFound(`version ${number ?? 'latest'} of "${b.id}"`);
  return { b, version, latest: versions[0] ?? version };
}

/** The quorum of approvals a benchmark needs (manifest `corrections.quorum`, default 1). */
export function quorumOf(b: Benchmark): number {
  // manifests stored before `corrections` was part of the schema lack it
  return b.manifest.corrections?.quorum ?? 1;
}

/** Appends a correction's audit event (with its example), in the caller's transaction. */
export function auditCorrection(
  db: DbOrTx,
  actor: Actor,
  action: Extract<AuditAction, `correction.${string}`>,
  c: { id: string; exampleId: string },
  before: unknown,
  after: unknown,
) {
  return recordAudit(db, actor, {
    action,
    entityType: 'correction',
    entityId: c.id,
    exampleId: c.exampleId,
    before,
    after,
  });
}

/**
 * Proposes a change to one example's gold fields. The fields must be editable in the dataset's
 * layout and differ from the current gold; where the platform has a validator for the family, the
 * new gold is executed first (e.g. a gold query, read-only, within the timeout and the result caps),
 * and a gold that fails is refused. Proposals are rate-limited per user (see proposal-limit.ts) unless
 * `rateLimited: false` (the platform's own curated corrections).
 */
export async function proposeCorrection(
  p: Platform,
  actor: Actor,
  input: unknown,
  opts: { rateLimited?: boolean } = {},
) {
  const u = requireUser(actor);
  const v = parse(ProposeCorrectionInput, input, 'correction');
  const attempt = opts.rateLimited === false ? null : await beginProposal(p, u);
  try {
    return await propose(p, u, v, attempt);
  } finally {
    attempt?.end();
  }
}

async function propose(
  p: Platform,
  u: UserActor,
  v: z.output<typeof ProposeCorrectionInput>,
  attempt: ProposalAttempt | null,
) {
  const { b, version } = await benchmarkAndVersion(p, v.benchmark, v.version);
  const ann = await versionAnnotations(p, b.family, version);
  const current = ann.annotations.get(v.exampleId);
  if (!current)
    throw badInput(`bad input: exampleId: version ${version.number} of "${b.id}" has no example "${v.exampleId}"`);
  const before: Record<string, string> = {};
  for (const [field, value] of Object.entries(v.fields)) {
    if (!ann.codec.editable.includes(field))
      throw badInput(
        `bad input: fields.${field}: not a gold field of this dataset (editable: ${ann.codec.editable.join(', ')})`,
      );
    if (current[field] === value) throw badInput(`bad input: fields.${field}: unchanged from the current gold`);
    before[field] = current[field] ?? '';
  }
  let validation: CorrectionValidation | null = null;
  const validator = p.validators?.[b.family];
  if (validator) {
    validation = await validator
      .validate({
        example: current,
        fields: v.fields,
        file: async (path) => {
          const f = version.files.find((x) => x.path === path);
          return f ? blobPath(p, f.sha256) : null;
        },
      })
      .catch((err: unknown) => {
        attempt?.refused();
        throw err;
      });
    if (!validation.ok) {
      attempt?.refused();
      throw badInput(`bad input: fields: ${validation.message ?? 'the proposed gold does not run'}`);
    }
  }
  return p.db.transaction(async (tx) => {
    await attempt?.recheck(tx);
    if (v.supersedes) {
      const [old] = await tx.select().from(corrections).where(eq(corrections.id, v.supersedes)).for('update');
      if (!old || old.benchmarkId !== b.id || old.exampleId !== v.exampleId)
        throw badInput('bad input: supersedes: not a correction of this example');
      if (old.proposedBy !== u.userId && !u.isAdmin) throw forbidden('only its proposer can supersede a correction');
      if (old.state !== 'proposed' && old.state !== 'approved')
        throw conflict(`a ${old.state} correction cannot be superseded`);
    }
    const [c] = await tx
      .insert(corrections)
      .values({
        benchmarkId: b.id,
        datasetVersionId: version.id,
        exampleId: v.exampleId,
        fields: v.fields,
        before,
        category: v.category,
        rationale: v.rationale,
        evidence: v.evidence,
        validation,
        proposedBy: u.userId,
      })
      .returning();
    if (!c) throw new Error('correction insert returned nothing');
    await auditCorrection(tx, u, 'correction.proposed', c, before, {
      fields: v.fields,
      category: v.category,
      version: version.number,
    });
    if (v.supersedes) {
      await tx
        .update(corrections)
        .set({ state: 'superseded', supersededBy: c.id, decidedAt: new Date() })
        .where(eq(corrections.id, v.supersedes));
      await auditCorrection(tx, u, 'correction.superseded', { id: v.supersedes, exampleId: v.exampleId }, null, {
        by: c.id,
      });
    }
    return c;
  });
}

/**
 * A reviewer's (or maintainer's) decision. The proposer can never review their own correction
 * (refused here, and by a trigger in the database). Approvals reaching the quorum approve the
 * correction; one rejection rejects it.
 */
export async function reviewCorrection(p: Platform, actor: Actor, input: unknown) {
  const u = requireUser(actor);
  const v = parse(ReviewCorrectionInput, input, 'review');
  return p.db.transaction(async (tx) => {
    const [c] = await tx.select().from(corrections).where(eq(corrections.id, v.id)).for('update');
    if (!c) throw notFound('correction');
    const [b] = await tx.select().from(benchmarks).where(eq(benchmarks.id, c.benchmarkId));
    if (!b) throw notFound('benchmark');
    await requireTeamRole(tx, u, b.ownerTeamId, 'reviewer');
    if (c.proposedBy === u.userId) throw forbidden('you cannot review your own correction');
    if (c.state !== 'proposed') throw conflict(`a ${c.state} correction cannot be reviewed`);
    const [done] = await tx
      .insert(correctionReviews)
      .values({ correctionId: c.id, reviewerId: u.userId, decision: v.decision, comment: v.comment })
      .onConflictDoNothing()
      .returning();
    if (!done) throw conflict('you already reviewed this correction');
    await auditCorrection(tx, u, 'correction.reviewed', c, null, { decision: v.decision, comment: v.comment });
    const [count] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(correctionReviews)
      .where(and(eq(correctionReviews.correctionId, c.id), eq(correctionReviews.decision, 'approve')));
    let state = c.state;
    if (v.decision === 'reject') state = 'rejected';
    else if ((count?.n ?? 0) >= quorumOf(b)) state = 'approved';
    if (state !== c.state) {
      await tx.update(corrections).set({ state, decidedAt: new Date() }).where(eq(corrections.id, c.id));
      await auditCorrection(
        tx,
        u,
        state === 'approved' ? 'correction.approved' : 'correction.rejected',
        c,
        { state: c.state },
        { state },
      );
    }
    return { id: c.id, state };
  });
}

/** The proposer takes back a correction that is not released. */
export async function withdrawCorrection(p: Platform, actor: Actor, id: string) {
  const u = requireUser(actor);
  return p.db.transaction(async (tx) => {
    const [c] = await tx.select().from(corrections).where(eq(corrections.id, id)).for('update');
    if (!c) throw notFound('correction');
    if (c.proposedBy !== u.userId && !u.isAdmin) throw forbidden('only the proposer can withdraw a correction');
    if (c.state !== 'proposed' && c.state !== 'approved') throw conflict(`a ${c.state} correction cannot be withdrawn`);
    await tx.update(corrections).set({ state: 'withdrawn', decidedAt: new Date() }).where(eq(corrections.id, id));
    await auditCorrection(tx, u, 'correction.withdrawn', c, { state: c.state }, { state: 'withdrawn' });
    return { id, state: 'withdrawn' as const };
  });
}

/** Corrections of a benchmark, newest first, optionally in some states. */
export async function listCorrections(p: Platform, benchmarkId: string, states?: string[]) {
  return p.db
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
}

/** One correction with its reviews and its audit history (append-only, in order). */
export async function getCorrection(p: Platform, id: string) {
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
  return { ...row.c, proposer: row.proposer, version: row.version, reviews, history, quorum: b ? quorumOf(b) : 1 };
}

export { DomainError };

/** The current gold fields of one example of a version (what a proposal starts from). */
export async function exampleGold(p: Platform, input: { benchmark: string; version?: number; exampleId: string }) {
  const { b, version } = await benchmarkAndVersion(p, input.benchmark, input.version);
  const ann = await versionAnnotations(p, b.family, version);
  const fields = ann.annotations.get(input.exampleId);
  if (!fields) throw notFound(`example "${input.exampleId}" in version ${version.number} of "${b.id}"`);
  return { benchmark: b.id, version: version.number, exampleId: input.exampleId, fields, editable: ann.codec.editable };
}

/**
 * Upstream import: a corrected copy of the benchmark's annotation files (in its original layout)
 * is diffed field by field against the latest version; every changed example becomes one proposed
 * correction (category `other`, rationale naming the source). Added or removed examples are
 * reported, never applied. Every proposal counts against the hourly limit: an import that would
 * pass it is refused whole, before any is made.
 */
export async function importCorrections(p: Platform, actor: Actor, raw: ImportCorrectionsInput) {
  const u = requireUser(actor);
  const input = parse(ImportCorrectionsInput, raw, 'import');
  const { b, version } = await benchmarkAndVersion(p, input.benchmark);
  const ann = await versionAnnotations(p, b.family, version);
  const missing = Object.keys(ann.files).filter((f) => !(f in input.files));
  if (missing.length) throw badInput(`bad input: the corrected copy lacks ${missing.join(', ')}`);
  let theirs: Annotations;
  try {
    theirs = ann.codec.read({ ...ann.files, ...input.files });
  } catch (err) {
    throw badInput(`bad input: corrected copy: ${err instanceof Error ? err.message : String(err)}`);
  }
  const added = [...theirs.keys()].filter((id) => !ann.annotations.has(id));
  const removed = [...ann.annotations.keys()].filter((id) => !theirs.has(id));
  const created: { id: string; exampleId: string; fields: string[] }[] = [];
  const refused: { exampleId: string; message: string }[] = [];
  const changed: [string, Record<string, string>][] = [];
  for (const [id, mine] of ann.annotations) {
    const other = theirs.get(id);
    if (!other) continue;
    const fields = Object.fromEntries(
      ann.codec.editable.filter((f) => other[f] !== mine[f]).map((f) => [f, other[f] ?? '']),
    );
    if (Object.keys(fields).length) changed.push([id, fields]);
  }
  if (changed.length) await checkProposalRate(p, u, changed.length);
  for (const [id, fields] of changed) {
    try {
      const c = await proposeCorrection(p, actor, {
        benchmark: b.id,
        version: version.number,
        exampleId: id,
        fields,
        category: 'other',
        rationale: `Imported from ${input.source}.`,
      });
      created.push({ id: c.id, exampleId: id, fields: Object.keys(fields) });
    } catch (err) {
      // one bad example (e.g. a new gold that does not run) does not stop the others
      if (!(err instanceof DomainError)) throw err;
      refused.push({ exampleId: id, message: err.message });
    }
  }
  return { version: version.number, created, refused, added, removed };
}
