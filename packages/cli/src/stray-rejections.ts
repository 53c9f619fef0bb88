import { inspect } from 'node:util';

/**
 * Keeps a long-running process (the server, a runner) alive when a promise nobody waits for
 * rejects. Node's default is to exit, and during a database outage the `postgres` driver rejects
 * such a promise itself: each new connection fetches the array types (`fetchArrayTypes`, started
 * from its ReadyForQuery handler and never awaited), and when the server dies during that query the
 * rejection has no handler. The CI saw `trueboard start` die of it (`connect ECONNREFUSED <postgres
 * port>`) while the supervisor was restarting a killed PostgreSQL, taking the API down for good.
 * patches/postgres+3.4.9.patch now catches that one; this is the last line for any other.
 * Requests and jobs handle their own errors (each is a transaction, or is retried), so nothing is
 * left half-done by going on; the error is printed whole so that a real bug is still seen.
 */
export function surviveStrayRejections(log: (message: string) => void): void {
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? inspect(reason, { depth: 2 }) : String(reason);
    log(`a background operation failed with nothing waiting for it; carrying on: ${text}`);
  });
}
