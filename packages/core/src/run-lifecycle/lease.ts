import type { Family, LogRequest, ProgressRequest } from '@trueboard/contracts';
import { benchmarks, evaluationRuns, runLogs, submissions } from '@trueboard/db';
import { eq, sql } from 'drizzle-orm';
import type { Actor, RunnerActor } from '../actor';
import { DomainError } from '../errors';
import { type Platform, type TxContext, transact } from '../platform';
import { requireRunner } from '../runners';

const MAX_LOG_LINES_PER_RUN = 20_000;

const leaseLost = (why: string) => new DomainError('lease_lost', `lease lost: ${why}; stop work on this job`);

/**
 * Locks the run and checks the caller still holds its lease. A run the caller never held is "not
 * found", as if it did not exist, so a runner token cannot probe other runners' runs. `cancelled`
 * also accepts a run cancelled while the caller held it (the heartbeat tells the runner so).
 */
export async function holdLease(tx: TxContext, r: RunnerActor, runId: string, opts: { cancelled?: boolean } = {}) {
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
