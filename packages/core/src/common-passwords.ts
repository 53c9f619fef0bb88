import { dictionary } from '@zxcvbn-ts/language-common';

// The 49,233 most common passwords of leaked-password corpora, lowercase, as zxcvbn-ts ships them
// (offline, MIT; the same list its strength estimator uses).
let common: ReadonlySet<string> | null = null;

/** True for a password on the common-passwords list, compared case-insensitively. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  const p = password.toLowerCase();
  return common.has(p) || common.has(p.replace(/\s+/g, ''));
}

/**
 * Why a new password is too easy to guess, or null (NIST SP 800-63B 5.1.1.2 / ASVS 2.1.7: check
 * against breached lists, repetitive characters and context-specific words; no composition rules).
 */
export function weakPasswordReason(password: string, context: { email?: string } = {}): string | null {
  if (isCommonPassword(password)) return 'this password is on a list of common passwords; choose another';
  if (new Set(password).size < 4) return 'this password repeats too few characters; choose another';
  const lower = password.toLowerCase();
  const local = context.email?.split('@')[0]?.toLowerCase() ?? '';
  if (lower.includes('trueboard') || (local.length >= 4 && lower.includes(local))) {
    return 'the password must not contain your email address or the site name';
  }
  return null;
}
