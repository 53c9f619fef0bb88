/**
 * Entry point of one SQL worker process (started by SqlPool: compiled into the CLI bundle, or run
 * through tsx from source). It runs its jobs one at a time, in the order they arrived, writes a
 * start marker before each query (see protocol.ts), scores whole examples with the
 * results it keeps (see score-job.ts), and sends the answers in batches: when
 * FLUSH_EVERY have piled up or they hold FLUSH_BYTES of results, when its line is empty, and before
 * a timed job (whose laps go out one by one). The parent enforces timeouts by killing this
 * process, which is the only way to really stop a runaway SQLite query from JavaScript.
 */
import { writeSync } from 'node:fs';
import { runScoreJob } from '../score-job';
import { ConnectionCache } from './connection-cache';
import { DEFAULT_WORKER_MEMORY_MB } from './limits';
import {
  batchProblem,
  clock,
  isWorkerCancel,
  MARKER_BYTES,
  MARKER_FD,
  type WorkerReply,
  type WorkerRequest,
  writeMarker,
} from './protocol';
import { QueryCache } from './query-cache';
import { runQuery, timeQuery } from './run-query';

type JobReply = Exclude<WorkerReply, { type: 'ready' }>;

const FLUSH_EVERY = 32;
/** after a job this slow, read what the parent sent meanwhile (it may hand the next jobs to another worker) */
const LOOK_UP_AFTER_MS = 50;
/** one IPC message carries at most this much result beyond its last reply (each is capped by maxBytes) */
const FLUSH_BYTES = 1024 * 1024;
/**
 * Open connections a worker keeps. Spider dev's 20 databases (BIRD dev's 11) all stay open: with
 * 4, each worker reopened one every few examples, and every reopen parses the schema again and
 * starts with a cold page cache (48 extra opens on the three bundled systems). Each connection's
 * page cache is bounded by SQLite's default (2 MiB), so this is at most 64 MiB of a worker's limit.
 */
const OPEN_DATABASES = 32;
const cache = new ConnectionCache(OPEN_DATABASES);
/**
 * Results kept for the examples to come may take a 32nd of the worker's memory limit (counted as
 * against maxBytes; the objects holding them take a small multiple of that): 32 MiB by default,
 * several times what Spider dev's gold queries return.
 */
const results = new QueryCache(
  ((Number(process.env.TRUEBOARD_SQL_WORKER_MEMORY_MB) || DEFAULT_WORKER_MEMORY_MB) * 1024 * 1024) / 32,
);
const line: WorkerRequest[] = [];
let pending: JobReply[] = [];
let pendingBytes = 0;
let draining = false;

function flush(): void {
  if (!pending.length) return;
  process.send?.(pending);
  pending = [];
  pendingBytes = 0;
}

function answer(reply: JobReply): void {
  pending.push(reply);
  if (reply.type === 'result' && reply.outcome.ok) pendingBytes += reply.outcome.bytes;
  if (pending.length >= FLUSH_EVERY || pendingBytes >= FLUSH_BYTES) flush();
}

const markerBuf = Buffer.alloc(MARKER_BYTES);

/** Synchronous, so the marker is out before the job can run away (see protocol.ts). */
function markStart(id: number): void {
  writeSync(MARKER_FD, writeMarker(markerBuf, id, clock()), 0, MARKER_BYTES, 0);
}

/**
 * Lets the messages that arrived meanwhile in (a cancel, above all). One setImmediate is not
 * enough: from a message handler it runs before the event loop polls for I/O again.
 */
const lookUp = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

async function drain(): Promise<void> {
  draining = true;
  for (let job = line.shift(); job; job = line.shift()) {
    if (job.kind === 'score') {
      const started = clock();
      // each query the job runs is marked as it starts (a cache hit is not)
      answer(runScoreJob(job, { connections: cache, cache: results, markStart }));
      if (clock() - started >= LOOK_UP_AFTER_MS) {
        flush();
        await lookUp();
      }
      continue;
    }
    markStart(job.id);
    if (job.kind === 'execute') {
      const caps = { maxRows: job.maxRows, maxBytes: job.maxBytes };
      const outcome = runQuery(cache, job.dbPath, job.sql, caps);
      answer({ type: 'result', id: job.id, outcome });
      if (outcome.ms >= LOOK_UP_AFTER_MS) {
        flush();
        await lookUp();
      }
    } else {
      flush();
      // timed jobs yield between repetitions; jobs arriving meanwhile wait their turn in `line`
      const id = job.id;
      const { dbPath, sql, repeat, maxRows, maxBytes } = job;
      const failure = await timeQuery(cache, dbPath, sql, repeat, { maxRows, maxBytes }, (ms) => {
        answer({ type: 'lap', id, ms });
        flush();
      });
      answer({ type: 'timed', id, failure });
    }
  }
  flush();
  draining = false;
}

process.on('message', (msg: unknown) => {
  if (isWorkerCancel(msg)) {
    const drop = new Set(msg.cancel);
    for (const job of line.filter((j) => drop.has(j.id))) answer({ type: 'cancelled', id: job.id });
    line.splice(0, line.length, ...line.filter((j) => !drop.has(j.id)));
    if (!draining) flush();
    return;
  }
  const problem = batchProblem(msg);
  if (problem) throw new Error(`bad request to SQL worker: ${problem}`);
  line.push(...(msg as WorkerRequest[]));
  if (!draining) void drain();
});

// the pool closed (or died): close connections and go
process.on('disconnect', () => {
  cache.closeAll();
  process.exit(0);
});

process.send?.({ type: 'ready' } satisfies WorkerReply);
