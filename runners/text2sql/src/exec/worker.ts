/**
 * Entry point of one SQL worker process (forked by SqlPool, run through tsx). It runs its jobs one
 * at a time, in the order they arrived, and sends the answers in batches: when FLUSH_EVERY have
 * piled up or they hold FLUSH_BYTES of results, when its line is empty, and before a timed job
 * (whose laps go out one by one). The
 * parent enforces timeouts by killing this process, which is the only way to really stop a runaway
 * SQLite query from JavaScript.
 */
import { ConnectionCache } from './connection-cache';
import { WorkerBatch, type WorkerReply, type WorkerRequest } from './protocol';
import { runQuery, timeQuery } from './run-query';

type JobReply = Exclude<WorkerReply, { type: 'ready' }>;

const FLUSH_EVERY = 16;
/** one IPC message carries at most this much result beyond its last reply (each is capped by maxBytes) */
const FLUSH_BYTES = 1024 * 1024;
const cache = new ConnectionCache(4);
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

async function drain(): Promise<void> {
  draining = true;
  for (let job = line.shift(); job; job = line.shift()) {
    if (job.kind === 'execute') {
      const caps = { maxRows: job.maxRows, maxBytes: job.maxBytes };
      answer({ type: 'result', id: job.id, outcome: runQuery(cache, job.dbPath, job.sql, caps) });
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
  const parsed = WorkerBatch.safeParse(msg);
  if (!parsed.success) throw new Error(`bad request to SQL worker: ${parsed.error.message}`);
  line.push(...parsed.data);
  if (!draining) void drain();
});

// the pool closed (or died): close connections and go
process.on('disconnect', () => {
  cache.closeAll();
  process.exit(0);
});

process.send?.({ type: 'ready' } satisfies WorkerReply);
