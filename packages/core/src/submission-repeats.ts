import type { Readable } from 'node:stream';
import { artifacts, type DbOrTx, evaluationRuns, submissions } from '@trueboard/db';
import { and, asc, eq } from 'drizzle-orm';
import { conflict, DomainError } from './errors';
import { digest } from './storage';

/*
 * Repeated uploads (`Idempotency-Key`): a client that got no answer, or a 503, sends the same
 * artifact again with the same key, and gets the first submission back instead of a second one.
 */

/** The user's earlier submission made with this client request id, if any. */
export async function submissionByRequestKey(db: DbOrTx, userId: string, key: string) {
  const [s] = await db
    .select()
    .from(submissions)
    .where(and(eq(submissions.submittedBy, userId), eq(submissions.clientRequestId, key)));
  return s ?? null;
}

const keyReused = (key: string, id: string) =>
  conflict(
    `Idempotency-Key ${key} was already used for another artifact (submission ${id}); use a new key for a new upload`,
  );

/** The answer to a repeated upload: the first submission, if the artifact is the same one. */
export async function repeatedSubmission(
  db: DbOrTx,
  first: typeof submissions.$inferSelect,
  key: string,
  artifact: { sha256: string; size: number },
) {
  if (first.artifactSha256 !== artifact.sha256) throw keyReused(key, first.id);
  const [run] = await db
    .select({ id: evaluationRuns.id })
    .from(evaluationRuns)
    .where(eq(evaluationRuns.submissionId, first.id))
    .orderBy(asc(evaluationRuns.queuedAt), asc(evaluationRuns.attempt))
    .limit(1);
  if (!run) throw new Error(`submission ${first.id} has no run`);
  return { id: first.id, state: first.state, runId: run.id, artifact, repeated: true };
}

/**
 * The first submission when this upload repeats one (same user and key), checked by hashing the
 * body without storing it; null for a new key. Only the same bytes are the same artifact, so
 * nothing larger than the first one is read.
 */
export async function repeatOf(db: DbOrTx, userId: string, key: string, body: Readable | Uint8Array) {
  const first = await submissionByRequestKey(db, userId, key);
  if (!first) return null;
  const [a] = await db
    .select({ size: artifacts.size })
    .from(artifacts)
    .where(eq(artifacts.sha256, first.artifactSha256));
  const sent = await digest(body, { maxBytes: a?.size ?? 0, label: 'the repeated upload' }).catch((err) => {
    if (err instanceof DomainError && err.code === 'too_large') throw keyReused(key, first.id);
    throw err;
  });
  return repeatedSubmission(db, first, key, sent);
}
