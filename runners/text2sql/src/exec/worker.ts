/**
 * Entry point of one SQL worker process (forked by SqlPool, run through tsx). It runs one job at a
 * time; the parent enforces timeouts by killing this process, which is the only way to really stop
 * a runaway SQLite query from JavaScript.
 */
import { ConnectionCache } from './connection-cache';
import { type WorkerReply, WorkerRequest } from './protocol';
import { runQuery, timeQuery } from './run-query';

const cache = new ConnectionCache(4);

function reply(msg: WorkerReply): void {
  process.send?.(msg);
}

process.on('message', async (msg: unknown) => {
  const parsed = WorkerRequest.safeParse(msg);
  if (!parsed.success) throw new Error(`bad request to SQL worker: ${parsed.error.message}`);
  const job = parsed.data;
  if (job.kind === 'execute') {
    reply({ type: 'result', id: job.id, outcome: runQuery(cache, job.dbPath, job.sql, job.maxRows) });
  } else {
    const failure = await timeQuery(cache, job.dbPath, job.sql, job.repeat, job.maxRows, (ms) =>
      reply({ type: 'lap', id: job.id, ms }),
    );
    reply({ type: 'timed', id: job.id, failure });
  }
});

// the pool closed (or died): close connections and go
process.on('disconnect', () => {
  cache.closeAll();
  process.exit(0);
});

reply({ type: 'ready' });
