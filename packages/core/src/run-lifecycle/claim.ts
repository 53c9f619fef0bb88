import type { ClaimRequest, Family, Job } from '@trueboard/contracts';
import { artifacts, benchmarks, datasetVersions, evaluationRuns, submissions } from '@trueboard/db';
import { eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit';
import { type Platform, type TxContext, transact } from '../platform';
import { datasetBundleRef } from '../reproduction';
import { currentResultRef } from '../results';
import { CLAIM_TOUCH_MS, requireRunner, retireRunner, touchRunner } from '../runners';
import { sweepExpiredLeases } from './expire';
import { releaseRun } from './lease';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
