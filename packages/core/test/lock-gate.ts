import { createDb } from '@trueboard/db';
import { waitFor } from '@trueboard/testkit';

/**
 * A transaction on its own connection that takes a lock (the statement given) and keeps it until
 * `open()`. Concurrent calls that need the same lock queue up behind it at a known point, so a
 * test can make two calls overlap exactly where a race would be, without sleeping: start them,
 * `await gate.queued(2)`, then `gate.open()`.
 */
export async function lockGate(url: string, statement: string, params: (string | number)[] = []) {
  // two connections: inside the gate's transaction pg_stat_activity would stay the snapshot of its first read
  const { sql, close } = createDb(url, { max: 2, applicationName: 'lock-gate' });
  const gate = await sql.reserve();
  await gate`begin`;
  await gate.unsafe(statement, params);
  let opened = false;
  return {
    /** resolves once `n` of the platform's sessions (not pg-boss's) are waiting for a lock */
    async queued(n: number) {
      let seen = 0;
      await waitFor(
        () => `${n} sessions waiting for a lock (${seen} are)`,
        async () => {
          const [r] = await sql<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and application_name = 'trueboard'`;
          seen = r?.n ?? 0;
          return seen >= n;
        },
        20_000,
      );
    },
    /** ends the gate's transaction (rolled back: it only ever held the lock) */
    async open() {
      if (opened) return;
      opened = true;
      await gate`rollback`;
      gate.release();
      await close();
    },
  };
}
