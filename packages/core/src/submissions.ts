import type { Readable } from 'node:stream';
import {
  ClientRequestId,
  type Family,
  SubmissionMeta,
  type SubmissionState,
  submissionTransitions,
} from '@trueboard/contracts';
import { benchmarks, type DbOrTx, methods, submissions } from '@trueboard/db';
import { eq, sql } from 'drizzle-orm';
import { parse, requireUser } from './accounts';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { getBenchmark, latestVersion } from './benchmarks';
import { recordBlob } from './blobs';
import { conflict, DomainError, forbidden, notFound } from './errors';
import { familyArtifactMaxBytes } from './families';
import { type Platform, type TxContext, transact } from './platform';
import { checkQuota, checkUserQuota, uploadQuotaExceeded } from './quota';
import { cancelLiveRuns, enqueueRun, lockLiveRuns, queueRerun } from './run-lifecycle';
import { formatBytes } from './storage';
import { repeatedSubmission, repeatOf, submissionByRequestKey } from './submission-repeats';
import { roleIn } from './teams';

const tooLarge = (label: string, maxBytes: number) =>
  new DomainError('too_large', `${label} is larger than the limit of ${formatBytes(maxBytes)}`, { maxBytes });

/** Refuses a lifecycle transition the state machine does not allow. */
export function assertTransition(from: SubmissionState, to: SubmissionState): void {
  if (!submissionTransitions[from].includes(to)) {
    throw conflict(`a ${from} submission cannot become ${to}`);
  }
}

export interface SubmitOptions {
  /** the size the client announced (Content-Length): an upload over a limit is refused before any byte is read */
  declaredBytes?: number;
  /** admins and maintainers of the benchmark's team may mark reference entries */
  isBaseline?: boolean;
  /**
   * the client's id for this upload (`Idempotency-Key`): the same key and artifact again, from the
   * same user, return the first submission (`repeated: true`) instead of making another
   */
  clientRequestId?: string;
}

export async function submit(
  p: Platform,
  actor: Actor,
  metaInput: unknown,
  body: Readable | Uint8Array,
  opts: SubmitOptions = {},
) {
  const u = requireUser(actor);
  const meta = parse(SubmissionMeta, metaInput, 'submission');
  const key =
    opts.clientRequestId === undefined ? undefined : parse(ClientRequestId, opts.clientRequestId, 'Idempotency-Key');
  // a repeat is answered before any limit is checked: it makes nothing new
  const repeat = key ? await repeatOf(p.db, u.userId, key, body) : null;
  if (repeat) return repeat;
  const bench = await getBenchmark(p, meta.benchmark);
  const version = await latestVersion(p, bench.id);
  const [method] = await p.db.select().from(methods).where(eq(methods.id, meta.method));
  if (!method) throw new DomainError('not_found', `unknown method ${meta.method}; create it first`);
  const role = await roleIn(p.db, u, method.teamId);
  if (!role) throw forbidden('you can only submit methods of a team you belong to');
  if (opts.isBaseline) {
    const benchRole = await roleIn(p.db, u, bench.ownerTeamId);
    if (benchRole !== 'admin' && benchRole !== 'maintainer')
      throw forbidden('only maintainers of the benchmark can add baselines');
  }
  const limit = bench.dailyQuota ?? p.config.dailyQuota;
  const family = bench.family as Family;
  const maxBytes = bench.artifactMaxBytes ?? familyArtifactMaxBytes(p, family);
  const declared = opts.declaredBytes;
  const label = `the ${family} artifact`;
  if (declared !== undefined && declared > maxBytes) throw tooLarge(label, maxBytes);
  // early, before reading the upload: the team's quota, the user's quotas and the bytes left today
  let room = Number.POSITIVE_INFINITY;
  if (!opts.isBaseline) {
    await checkQuota(p.db, method.teamId, bench.id, limit);
    room = await checkUserQuota(p.db, u.userId, p.config.userDaily, declared ?? 0);
  }
  let blob: Awaited<ReturnType<typeof p.storage.put>>;
  try {
    blob = await p.storage.put(body, { maxBytes: Math.min(maxBytes, room), label });
  } catch (err) {
    // the stream outgrew the user's remaining daily bytes rather than the family's limit
    if (err instanceof DomainError && err.code === 'too_large' && room < maxBytes)
      throw uploadQuotaExceeded(p.config.userDaily.bytes - room, p.config.userDaily.bytes);
    throw err;
  }
  if (blob.size === 0) throw new DomainError('bad_input', 'bad input: the artifact is empty');
  const created = await transact(p, async (tx) => {
    if (key) {
      // the same key in flight twice (a client retrying before the first answer came): one waits
      // for the other here, then finds its submission
      await tx.db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`submission:${u.userId}:${key}`}, 0))`);
      if (await submissionByRequestKey(tx.db, u.userId, key)) return null;
    }
    if (!opts.isBaseline) {
      await checkQuota(tx.db, method.teamId, bench.id, limit);
      await checkUserQuota(tx.db, u.userId, p.config.userDaily, blob.size);
    }
    await recordBlob(tx.db, blob);
    const now = new Date();
    const [s] = await tx.db
      .insert(submissions)
      .values({
        benchmarkId: bench.id,
        methodId: method.id,
        teamId: method.teamId,
        submittedBy: u.userId,
        artifactSha256: blob.sha256,
        datasetVersionId: version.id,
        note: meta.note,
        isPublic: meta.isPublic,
        isBaseline: opts.isBaseline ?? false,
        state: 'queued',
        submittedAt: now,
        queuedAt: now,
        clientRequestId: key,
      })
      .returning();
    if (!s) throw new Error('submission insert returned nothing');
    const run = await enqueueRun(p, tx, { submissionId: s.id, datasetVersionId: version.id, family, kind: 'initial' });
    await recordAudit(tx.db, u, {
      action: 'submission.created',
      entityType: 'submission',
      entityId: s.id,
      after: { benchmark: bench.id, method: method.id, artifact: blob.sha256, size: blob.size },
    });
    await recordAudit(tx.db, u, {
      action: 'submission.queued',
      entityType: 'submission',
      entityId: s.id,
      after: { runId: run.id },
    });
    return {
      id: s.id,
      state: s.state,
      runId: run.id,
      artifact: { sha256: blob.sha256, size: blob.size },
      repeated: false,
    };
  });
  if (created) return created;
  const first = key ? await submissionByRequestKey(p.db, u.userId, key) : null;
  if (!key || !first) throw new Error('a submission with this client request id vanished');
  return repeatedSubmission(p.db, first, key, { sha256: blob.sha256, size: blob.size });
}

async function loadForChange(tx: TxContext, id: string) {
  const [s] = await tx.db.select().from(submissions).where(eq(submissions.id, id)).for('update');
  if (!s) throw notFound('submission');
  return s;
}

/** Cancels a queued or running submission (its submitter, team maintainers, or platform admins). */
export async function cancelSubmission(p: Platform, actor: Actor, id: string) {
  const u = requireUser(actor);
  return transact(p, async (tx) => {
    // runs first, then the submission: the order completeRun, claimOne and failRun lock them in,
    // so a cancel racing an upload waits instead of deadlocking
    await lockLiveRuns(tx, id);
    const s = await loadForChange(tx, id);
    const isOwner = s.submittedBy === u.userId;
    if (!(await submissionPermissions(tx.db, u, s)).cancel)
      throw forbidden('only the submitter or a team maintainer can cancel');
    if (s.state !== 'queued' && s.state !== 'running' && s.state !== 'submitted') {
      throw conflict(`a ${s.state} submission cannot be cancelled`);
    }
    const now = new Date();
    await cancelLiveRuns(tx, id, now);
    await tx.db
      .update(submissions)
      .set({
        state: 'cancelled',
        cancelledAt: now,
        cancelledBy: u.userId,
        // an admin stopping someone else's work gives the quota slot back
        countsTowardQuota: isOwner || !u.isAdmin ? s.countsTowardQuota : false,
      })
      .where(eq(submissions.id, id));
    await recordAudit(tx.db, u, {
      action: 'submission.cancelled',
      entityType: 'submission',
      entityId: id,
      before: { state: s.state },
    });
    return { id, state: 'cancelled' as const };
  });
}

/** Queues a fresh evaluation of a finished, failed or cancelled submission on its dataset version. */
export async function rerunSubmission(p: Platform, actor: Actor, id: string) {
  const u = requireUser(actor);
  return transact(p, async (tx) => {
    const s = await loadForChange(tx, id);
    if (!(await submissionPermissions(tx.db, u, s)).rerun)
      throw forbidden('only the submitter or a maintainer can rerun');
    assertTransition(s.state as SubmissionState, 'queued');
    const bench = await getBenchmark(p, s.benchmarkId);
    const run = await queueRerun(p, tx, {
      submissionId: id,
      datasetVersionId: s.datasetVersionId,
      family: bench.family as Family,
    });
    await recordAudit(tx.db, u, {
      action: 'submission.rerun',
      entityType: 'submission',
      entityId: id,
      before: { state: s.state },
      after: { runId: run.id },
    });
    return { id, state: 'queued' as const, runId: run.id };
  });
}

/**
 * What the actor may do to a submission: cancel = the submitter or a maintainer of the submitting
 * team; rerun = those, or a maintainer of the benchmark's team. Platform admins are admins of every
 * team (roleIn).
 */
export async function submissionPermissions(
  db: DbOrTx,
  actor: Actor,
  s: { submittedBy: string; teamId: string; benchmarkId: string },
): Promise<{ cancel: boolean; rerun: boolean }> {
  if (actor.kind !== 'user') return { cancel: false, rerun: false };
  const maintains = (role: string | null) => role === 'admin' || role === 'maintainer';
  const own = s.submittedBy === actor.userId || maintains(await roleIn(db, actor, s.teamId));
  if (own) return { cancel: true, rerun: true };
  const [b] = await db.select({ t: benchmarks.ownerTeamId }).from(benchmarks).where(eq(benchmarks.id, s.benchmarkId));
  return { cancel: false, rerun: maintains(b ? await roleIn(db, actor, b.t) : null) };
}
