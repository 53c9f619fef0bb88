import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runnerTokens, users } from '@trueboard/db';
import { and, isNull, like, sql } from 'drizzle-orm';
import { createApiToken, createRunnerToken, signUp } from './accounts';
import type { Actor } from './actor';
import type { Platform } from './platform';

export interface AdminCredentials {
  email: string;
  password: string;
  apiToken: string;
  file: string;
}

/**
 * On the first start of an empty database: creates the admin account and an API token, and
 * writes them once to `<dataDir>/admin-credentials.json` (mode 0600). Later starts return null.
 */
export async function bootstrapAdmin(p: Platform): Promise<AdminCredentials | null> {
  const [row] = await p.db.select({ n: sql<number>`count(*)::int` }).from(users);
  if ((row?.n ?? 0) > 0) return null;
  const email = 'admin@trueboard.local';
  const password = randomBytes(12).toString('base64url');
  const user = await signUp(p, { email, name: 'Admin', password }, { isAdmin: true });
  const actor: Actor = { kind: 'user', userId: user.id, isAdmin: true, via: 'token' };
  const token = await createApiToken(p, actor, { name: 'bootstrap' });
  mkdirSync(p.config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(p.config.dataDir, 'admin-credentials.json');
  writeFileSync(file, `${JSON.stringify({ email, password, apiToken: token.secret }, null, 2)}\n`, { mode: 0o600 });
  return { email, password, apiToken: token.secret, file };
}

/** A runner token for the runners `trueboard start` launches itself; minted fresh on each start. */
export async function localRunnerToken(p: Platform): Promise<string> {
  const [admin] = await p.db.select({ id: users.id }).from(users).where(sql`${users.isAdmin}`).limit(1);
  if (!admin) throw new Error('no admin account; run bootstrapAdmin first');
  // the previous start's local runners are gone: retire their token
  await p.db
    .update(runnerTokens)
    .set({ revokedAt: new Date() })
    .where(and(like(runnerTokens.name, 'local runners %'), isNull(runnerTokens.revokedAt)));
  const t = await createRunnerToken(
    p,
    { kind: 'user', userId: admin.id, isAdmin: true, via: 'token' },
    {
      name: `local runners ${new Date().toISOString()}`,
    },
  );
  return t.secret;
}
