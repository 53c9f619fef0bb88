import { sql } from 'drizzle-orm';
import type { Platform } from './platform';
import { countOnlineRunners } from './runners';

export async function health(p: Platform) {
  let db = false;
  let queue = false;
  try {
    await p.db.execute(sql`select 1`);
    db = true;
    await p.db.execute(sql`select 1 from pgboss.version limit 1`);
    queue = true;
  } catch {
    // reported below
  }
  const runners = db ? await countOnlineRunners(p).catch(() => 0) : 0;
  return { status: db && queue ? ('ok' as const) : ('degraded' as const), db, queue, runners };
}
