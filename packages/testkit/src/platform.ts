import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FamilyRegistry } from '@trueboard/contracts';
import {
  type Actor,
  type Config,
  createPlatform,
  createTeam,
  loadConfig,
  type Platform,
  setMember,
  signUp,
} from '@trueboard/core';
import type { Role } from '@trueboard/db';
import { families } from '@trueboard/families';
import { freshDatabase } from './database';

export interface TestPlatform extends Platform {
  url: string;
}

/**
 * A platform over a fresh database and a temp artifact dir, knowing every family's module, or the
 * registry given (e.g. `probeFamilies`, with the test-only probe as LoRA).
 */
export async function testPlatform(
  overrides: Partial<Config> = {},
  options: { families?: FamilyRegistry } = {},
): Promise<TestPlatform> {
  const url = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'trueboard-data-'));
  const config = { ...loadConfig({ TRUEBOARD_DATA_DIR: dataDir }), databaseUrl: url, ...overrides };
  const p = await createPlatform(
    { ...config, databaseUrl: url },
    { poolSize: 5, families: options.families ?? families },
  );
  return Object.assign(p, { url });
}

let counter = 0;

/** Creates a user and returns it with its actor. */
export async function makeUser(p: Platform, opts: { admin?: boolean; name?: string } = {}) {
  counter++;
  const email = `${opts.name ?? 'user'}${counter}-${Date.now()}@example.org`;
  const password = 'correct horse battery';
  const user = await signUp(p, { email, name: opts.name ?? `User ${counter}`, password }, { isAdmin: opts.admin });
  const actor: Actor = { kind: 'user', userId: user.id, isAdmin: !!opts.admin, via: 'session' };
  return { ...user, password, actor };
}

/** Creates a team owned by a fresh user and adds members with the given roles. */
export async function makeTeam(p: Platform, slug: string, roles: Role[] = []) {
  const owner = await makeUser(p, { name: `${slug}-owner` });
  const team = await createTeam(p, owner.actor, { slug, name: slug });
  const members: Record<string, Awaited<ReturnType<typeof makeUser>>> = {};
  for (const role of roles) {
    const u = await makeUser(p, { name: `${slug}-${role}` });
    await setMember(p, owner.actor, { team: slug, email: u.email, role });
    members[role] = u;
  }
  return { team, owner, members };
}
