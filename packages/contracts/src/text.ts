import { z } from 'zod';

/**
 * Unicode bidirectional controls (U+202A–U+202E embeddings/overrides, U+2066–U+2069 isolates): in a
 * name they can make "Acme‮gnp.exe" read as something else, so user text may not contain them.
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
const BIDI_CONTROLS_ALL = /[\u202A-\u202E\u2066-\u2069]/g;

/** Shows bidi controls as visible `\u202E` escapes (exports of text stored before they were refused). */
export function escapeBidi(s: string): string {
  return s.replace(BIDI_CONTROLS_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

const noBidi = (s: string) => !BIDI_CONTROLS.test(s);
const BIDI_MESSAGE = 'must not contain Unicode bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';

/** Free text a user types (names, notes, descriptions): at most `max` characters, no bidi controls. */
export const UserText = (max: number) => z.string().max(max).refine(noBidi, BIDI_MESSAGE);

/** A display name (trimmed, 1..max characters, no bidi controls). */
export const DisplayName = (max = 100) =>
  z.string().trim().min(1, 'name is required').max(max).refine(noBidi, BIDI_MESSAGE);

/** An email address as typed; the shape is checked where accounts are created. */
export const EmailText = z.string().trim().toLowerCase().max(254, 'an email address has at most 254 characters');

/** A dataset version number (PostgreSQL int4; a benchmark will never have a million versions). */
export const VersionNumber = z.number().int().min(1).max(1_000_000);

/** An opaque identifier passed back by a client (example ids, column keys, tags): short, no bidi. */
export const ShortId = z.string().min(1).max(200).refine(noBidi, BIDI_MESSAGE);

/** The UTF-8 length of `s` in bytes, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/** User text bounded in UTF-8 bytes (what is stored and sent on), not only in characters; no bidi. */
export const UserBytes = (maxBytes: number) =>
  UserText(maxBytes).refine((s) => utf8Length(s) <= maxBytes, `must be at most ${maxBytes} bytes (UTF-8)`);
