import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const TOKEN_PREFIX = { api: 'tbu_', runner: 'tbr_', session: 'tbs_' } as const;

/**
 * A fresh bearer secret (32 random bytes). Tokens are high-entropy, so a plain sha256 is the
 * right lookup hash for them; passwords are low-entropy and go through argon2id instead.
 */
export function newSecret(kind: keyof typeof TOKEN_PREFIX): { secret: string; hash: string; prefix: string } {
  const secret = `${TOKEN_PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, 10) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const hashPassword = (password: string) => hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
