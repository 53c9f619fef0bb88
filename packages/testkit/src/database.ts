import { randomBytes } from 'node:crypto';
import { withDatabase } from '@trueboard/db/embedded';
import postgres from 'postgres';
import { inject } from 'vitest';
import './provided';

/** A new database cloned from the migrated template; one per test file. */
export async function freshDatabase(): Promise<string> {
  const serverUrl = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    // the template may be briefly busy while another file clones it: retry
    for (let i = 0; ; i++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE tb_template`);
        break;
      } catch (err) {
        if (i >= 20 || !String(err).includes('being accessed by other users')) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}
