import {
  type Annotations,
  ImportCorrectionsInput,
  ProposeCorrectionInput,
  ReviewCorrectionInput,
} from '@trueboard/contracts';
import { benchmarks, correctionReviews, corrections } from '@trueboard/db';
import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { parse, requireUser } from './accounts';
import type { Actor, UserActor } from './actor';
import { auditCorrection, benchmarkAndVersion, quorumOf, versionAnnotations } from './correction-annotations';
import { refuseInvalid, startValidation, validationView } from './correction-validation';
import { badInput, conflict, DomainError, forbidden, notFound } from './errors';
import type { Platform } from './platform';
import { beginProposal, checkProposalRate, type ProposalAttempt } from './proposal-limit';
import { requireTeamRole } from './teams';

export * from './correction-annotations';
export * from './correction-reads';
export * from './correction-validation';
export * from './correction-validation-jobs';

/**
 * Proposes a change to one example's gold fields. The fields must be editable in the dataset's
 * layout and differ from the current gold. The proposal is stored at once, `validating`: a runner
 * of the benchmark's family executes the new gold (correction-validation-jobs.ts) and answers
 * valid or invalid; this process never runs it. Proposals are rate-limited per user (see
 * proposal-limit.ts) unless `rateLimited: false` (the platform's own curated corrections).
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
        proposedBy: u.userId,
      })
      .returning();
    if (!c) throw new Error('correction insert returned nothing');
    const check = await startValidation(p, tx, { id: c.id, family: b.family, example: current });
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
    // just made: nobody has had time to answer, so presence does not matter yet
    return { ...c, yours: true, validationStatus: validationView(p, check, new Set()) };
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
    if (v.decision === 'approve') await refuseInvalid(tx, [c.id], 'approved');
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

export { DomainError };

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
  const created: { id: string; exampleId: string; fields: string[]; validation: string }[] = [];
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
      created.push({ id: c.id, exampleId: id, fields: Object.keys(fields), validation: c.validationStatus.status });
    } catch (err) {
      // one bad example (e.g. a field the layout does not edit) does not stop the others
      if (!(err instanceof DomainError)) throw err;
      refused.push({ exampleId: id, message: err.message });
    }
  }
  return { version: version.number, created, refused, added, removed };
}
