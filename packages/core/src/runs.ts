import type {
  ClaimRequest,
  CompleteRequest,
  FailRequest,
  Family,
  Job,
  LogRequest,
  ProgressRequest,
} from '@trueboard/contracts';
import {
  artifacts,
  benchmarks,
  datasetVersions,
  evaluationRuns,
  exampleResults,
  runLogs,
  submissions,
} from '@trueboard/db';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Actor, RunnerActor } from './actor';
import { recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { type Platform, type TxContext, transact } from './platform';
import { datasetBundleRef } from './reproduction';
import { catchUpWithLatest } from './rescoring';
import { currentResultRef, recordReport } from './results';
import { CLAIM_TOUCH_MS, requireRunner, retireRunner, touchRunner } from './runners';
import { enqueueRun } from './submissions';

const MAX_LOG_LINES_PER_RUN = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const leaseLost = (why: string) => new DomainError('lease_lost', `lease lost: ${why}; stop work on this job`);

/**
 * Hands out one job: takes it from pg-boss and marks its run `running` with a lease, in one
 * transaction, so a crash between the two cannot lose or duplicate the job. Long-polls up to
 * `waitSeconds` when the queue is empty.
 */
export async function claim(p: Platform, actor: Actor, req: ClaimRequest, signal?: AbortSignal): Promise<Job | null> {
  const r = requireRunner(actor);
  let runner = await touchRunner(p, r, req.runnerId);
  const families = req.families.filter((f) => runner.families.includes(f));
  const deadline = Date.now() + req.waitSeconds * 1000;
  // a runner that hung up mid-poll has stopped or died: it no longer counts as connected
  const hungUp = async () => {
    await retireRunner(p, runner.id, runner.lastSeenAt);
    return null;
  };
  for (;;) {
    // a runner waiting here is connected: keep it seen while it waits
    if (Date.now() - runner.lastSeenAt.getTime() >= CLAIM_TOUCH_MS) runner = await touchRunner(p, r, req.runnerId);
    await sweepExpiredLeases(p);
    for (const family of families) {
      // a runner that hung up mid-poll must not be handed a job it will never see
      if (signal?.aborted) return hungUp();
      const job = await transact(p, (tx) => claimOne(p, tx, family, runner.id));
      if (job && signal?.aborted) {
        await releaseRun(p, actor, job.runId);
        return hungUp();
      }
      if (job) return job;
    }
    if (signal?.aborted) return hungUp();
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(400, Math.max(0, deadline - Date.now())));
  }
}

async function claimOne(p: Platform, tx: TxContext, family: Family, runnerId: string): Promise<Job | null> {
  for (;;) {
    const msg = await p.jobs.fetch(tx.queueDb, family);
    if (!msg) return null;
    await p.jobs.complete(tx.queueDb, family, msg.id);
    const [run] = await tx.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, msg.data.runId)).for('update');
    // a cancelled or already-handled run leaves a stale message behind: drop it and look again
    if (run?.state !== 'queued') continue;
    const now = new Date();
    const leaseExpiresAt = new Date(now.getTime() + p.config.leaseSeconds * 1000);
    await tx.db
      .update(evaluationRuns)
      .set({ state: 'running', runnerId, leaseExpiresAt, startedAt: now, progress: 0, progressMessage: 'claimed' })
      .where(eq(evaluationRuns.id, run.id));
    const [info] = await tx.db
      .select({ s: submissions, bench: benchmarks, version: datasetVersions, artifact: artifacts })
      .from(submissions)
      .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
      .innerJoin(datasetVersions, eq(datasetVersions.id, run.datasetVersionId))
      .innerJoin(artifacts, eq(artifacts.sha256, submissions.artifactSha256))
      .where(eq(submissions.id, run.submissionId));
    if (!info) throw new Error(`run ${run.id} points at a missing submission`);
    if (run.kind !== 'rescore' && info.s.state !== 'running') {
      await tx.db.update(submissions).set({ state: 'running', startedAt: now }).where(eq(submissions.id, info.s.id));
      await recordAudit(
        tx.db,
        { kind: 'system' },
        {
          action: 'submission.started',
          entityType: 'submission',
          entityId: info.s.id,
          after: { runId: run.id, attempt: run.attempt, runnerId },
        },
      );
    }
    // a re-scoring after a release may reuse the parent version's result for unchanged examples
    const previous =
      run.kind === 'rescore' && info.version.parentId
        ? await currentResultRef(tx.db, run.submissionId, info.version.parentId)
        : null;
    return {
      runId: run.id,
      submissionId: info.s.id,
      attempt: run.attempt,
      family,
      dataset: datasetBundleRef(info.bench, info.version),
      artifact: { sha256: info.artifact.sha256, size: info.artifact.size, mediaType: info.artifact.mediaType },
      leaseSeconds: p.config.leaseSeconds,
      leaseExpiresAt: leaseExpiresAt.toISOString(),
      seed: 20_240_601,
      ...(previous ? { incremental: { changedExampleIds: info.version.changedExamples } } : {}),
    };
  }
}

/**
 * The per-example rows a re-scoring run may reuse: the submission's current result on the parent
 * version. Only the runner holding the run's lease may read them.
 */
export async function previousExamples(p: Platform, actor: Actor, runId: string) {
  const r = requireRunner(actor);
  const run = await transact(p, (tx) => holdLease(tx, r, runId));
  const [v] = await p.db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId));
  const prev = v?.parentId ? await currentResultRef(p.db, run.submissionId, v.parentId) : null;
  if (!prev) throw notFound('a previous result of this submission');
  const rows = await p.db
    .select({
      id: exampleResults.exampleId,
      verdict: exampleResults.verdict,
      reason: exampleResults.reason,
      data: exampleResults.data,
    })
    .from(exampleResults)
    .where(eq(exampleResults.resultId, prev.id));
  return {
    runId: prev.runId,
    examples: rows.map((e) => ({
      id: e.id,
      verdict: e.verdict,
      data: e.data,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
  };
}

/**
 * Locks the run and checks the caller still holds its lease. A run the caller never held is "not
 * found", as if it did not exist, so a runner token cannot probe other runners' runs. `cancelled`
 * also accepts a run cancelled while the caller held it (the heartbeat tells the runner so).
 */
async function holdLease(tx: TxContext, r: RunnerActor, runId: string, opts: { cancelled?: boolean } = {}) {
  const [row] = await tx.db
    .select({
      run: evaluationRuns,
      tokenId: sql<string>`(select token_id from runners where id = ${evaluationRuns.runnerId})`,
    })
    .from(evaluationRuns)
    .where(eq(evaluationRuns.id, runId))
    .for('update');
  if (!row || row.tokenId !== r.tokenId) throw new DomainError('not_found', `run ${runId} not found`);
  if (opts.cancelled && row.run.state === 'cancelled') return row.run;
  if (row.run.state !== 'running') throw leaseLost(`the run is ${row.run.state}`);
  if (!row.run.leaseExpiresAt || row.run.leaseExpiresAt.getTime() < Date.now()) throw leaseLost('the lease expired');
  return row.run;
}

export async function heartbeat(p: Platform, actor: Actor, runId: string) {
  const r = requireRunner(actor);
  return transact(p, async (tx) => {
    const run = await holdLease(tx, r, runId, { cancelled: true });
    // the owner cancelled it: the runner is to stop, and its lease ended with the cancel
    if (run.state === 'cancelled')
      return { leaseExpiresAt: (run.endedAt ?? new Date()).toISOString(), cancelled: true };
    const leaseExpiresAt = new Date(Date.now() + p.config.leaseSeconds * 1000);
    await tx.db.update(evaluationRuns).set({ leaseExpiresAt }).where(eq(evaluationRuns.id, run.id));
    if (run.runnerId) await tx.db.execute(sql`update runners set last_seen_at = now() where id = ${run.runnerId}`);
    return { leaseExpiresAt: leaseExpiresAt.toISOString(), cancelled: false };
  });
}

export async function reportProgress(p: Platform, actor: Actor, runId: string, req: ProgressRequest) {
  const r = requireRunner(actor);
  await transact(p, async (tx) => {
    await holdLease(tx, r, runId);
    await tx.db
      .update(evaluationRuns)
      .set({ progress: req.fraction, progressMessage: req.message })
      .where(eq(evaluationRuns.id, runId));
  });
}

export async function appendLogs(p: Platform, actor: Actor, runId: string, req: LogRequest) {
  const r = requireRunner(actor);
  await transact(p, async (tx) => {
    await holdLease(tx, r, runId);
    const [c] = await tx.db.select({ n: sql<number>`count(*)::int` }).from(runLogs).where(eq(runLogs.runId, runId));
    const room = MAX_LOG_LINES_PER_RUN - (c?.n ?? 0);
    if (room <= 0) return;
    await tx.db.insert(runLogs).values(
      req.lines.slice(0, room).map((l) => ({
        runId,
        level: l.level,
        message: l.message,
        createdAt: l.ts ? new Date(l.ts) : new Date(),
      })),
    );
  });
}

/**
 * Records the report. Idempotent: a second upload for the same run returns the first result; an
 * upload from a runner whose lease expired is refused and stores nothing.
 */
export async function completeRun(p: Platform, actor: Actor, runId: string, req: CompleteRequest) {
  const r = requireRunner(actor);
  return transact(p, async (tx) => {
    // the run is locked before its result is looked for: an upload that overlaps another of the
    // same report waits here, then finds that result (not a finished run, which would be a 409)
    const [locked] = await tx.db
      .select({ id: evaluationRuns.id })
      .from(evaluationRuns)
      .where(eq(evaluationRuns.id, runId))
      .for('update');
    if (!locked) throw new DomainError('not_found', `run ${runId} not found`);
    const [done] = await tx.db.execute<{ id: string }>(sql`select id from results where run_id = ${runId}`);
    if (done) {
      const [owner] = await tx.db.execute<{ token_id: string }>(
        sql`select ru.token_id from evaluation_runs er join runners ru on ru.id = er.runner_id where er.id = ${runId}`,
      );
      if (owner?.token_id !== r.tokenId) throw new DomainError('not_found', `run ${runId} not found`);
      return { resultId: done.id, duplicate: true };
    }
    const run = await holdLease(tx, r, runId);
    const resultId = await recordReport(tx.db, run, req.report);
    const now = new Date();
    await tx.db
      .update(evaluationRuns)
      .set({ state: 'finished', endedAt: now, progress: 1, progressMessage: 'finished' })
      .where(eq(evaluationRuns.id, runId));
    if (run.kind !== 'rescore') {
      await tx.db
        .update(submissions)
        .set({ state: 'finished', finishedAt: now })
        .where(eq(submissions.id, run.submissionId));
      await recordAudit(
        tx.db,
        { kind: 'system' },
        {
          action: 'submission.finished',
          entityType: 'submission',
          entityId: run.submissionId,
          after: { runId, resultId },
        },
      );
    }
    await catchUpWithLatest(p, tx, run);
    return { resultId, duplicate: false };
  });
}

export async function failRun(p: Platform, actor: Actor, runId: string, req: FailRequest) {
  const r = requireRunner(actor);
  await transact(p, async (tx) => {
    const run = await holdLease(tx, r, runId);
    const now = new Date();
    await tx.db
      .update(evaluationRuns)
      .set({ state: 'failed', endedAt: now, failureCategory: req.category, failureMessage: req.message })
      .where(eq(evaluationRuns.id, runId));
    if (run.kind !== 'rescore') await failSubmission(tx, run.submissionId, req.category, req.message);
  });
}

async function failSubmission(tx: TxContext, submissionId: string, category: FailRequest['category'], message: string) {
  await tx.db
    .update(submissions)
    .set({
      state: 'failed',
      failedAt: new Date(),
      failureCategory: category,
      failureMessage: message,
      // the platform's own failures never cost the team a quota slot
      ...(category === 'infra' ? { countsTowardQuota: false } : {}),
    })
    .where(eq(submissions.id, submissionId));
  await recordAudit(
    tx.db,
    { kind: 'system' },
    {
      action: 'submission.failed',
      entityType: 'submission',
      entityId: submissionId,
      after: { category, message },
    },
  );
}

/** Gives a job back (graceful runner shutdown) without using up an attempt. */
export async function releaseRun(p: Platform, actor: Actor, runId: string) {
  const r = requireRunner(actor);
  await transact(p, async (tx) => {
    const run = await holdLease(tx, r, runId);
    await tx.db
      .update(evaluationRuns)
      .set({
        state: 'queued',
        runnerId: null,
        leaseExpiresAt: null,
        startedAt: null,
        progress: 0,
        progressMessage: 'released by runner',
      })
      .where(eq(evaluationRuns.id, runId));
    if (run.kind !== 'rescore')
      await tx.db.update(submissions).set({ state: 'queued' }).where(eq(submissions.id, run.submissionId));
    const [b] = await tx.db
      .select({ family: benchmarks.family })
      .from(submissions)
      .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
      .where(eq(submissions.id, run.submissionId));
    await p.jobs.send(tx.queueDb, b?.family as Family, { runId });
  });
}

/**
 * Ends attempts whose lease ran out: the job goes back to the queue as attempt + 1, or, after
 * `maxAttempts` tries, the submission fails as `infra`.
 */
export async function sweepExpiredLeases(p: Platform): Promise<number> {
  return transact(p, async (tx) => {
    const expired = await tx.db
      .select({ run: evaluationRuns, family: benchmarks.family })
      .from(evaluationRuns)
      .innerJoin(submissions, eq(submissions.id, evaluationRuns.submissionId))
      .innerJoin(benchmarks, eq(benchmarks.id, submissions.benchmarkId))
      .where(and(eq(evaluationRuns.state, 'running'), lt(evaluationRuns.leaseExpiresAt, new Date())))
      .for('update', { of: evaluationRuns, skipLocked: true });
    for (const { run, family } of expired) {
      await tx.db
        .update(evaluationRuns)
        .set({
          state: 'expired',
          endedAt: new Date(),
          failureCategory: 'infra',
          failureMessage: 'lease expired: the runner stopped reporting',
        })
        .where(eq(evaluationRuns.id, run.id));
      await recordAudit(
        tx.db,
        { kind: 'system' },
        {
          action: 'run.lease_expired',
          entityType: 'submission',
          entityId: run.submissionId,
          after: { runId: run.id, attempt: run.attempt, try: run.try },
        },
      );
      if (run.try >= p.config.maxAttempts) {
        if (run.kind !== 'rescore') {
          await failSubmission(
            tx,
            run.submissionId,
            'infra',
            `runners lost this job ${run.try} times (lease expired each time); an admin can rerun it`,
          );
        }
        continue;
      }
      await enqueueRun(p, tx, {
        submissionId: run.submissionId,
        datasetVersionId: run.datasetVersionId,
        family: family as Family,
        kind: run.kind as 'initial' | 'rerun' | 'rescore',
        try: run.try + 1,
      });
      if (run.kind !== 'rescore')
        await tx.db
          .update(submissions)
          .set({ state: 'queued', queuedAt: new Date() })
          .where(eq(submissions.id, run.submissionId));
    }
    return expired.length;
  });
}
