import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Family } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';

/*
 * Generic code never names a family or a family's fields: everything family-specific comes from the
 * family's module (packages/families) or its web view (apps/web/families). The issue's check,
 * `grep -rn "text2sql\|db_id\|gold_sql" packages/core packages/api apps/web`, as a test.
 *
 * Allowed: family-named paths (a directory or file named after a family, e.g.
 * apps/web/families/text2sql/**); the registries, whose job is to list the families; a family's
 * package name where it is wired in as a dependency (`@trueboard/<family>`); build output; and
 * test directories, since the tests' toy evaluator poses as a text-to-SQL family until the testkit
 * has a test-only family of its own.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCANNED = ['packages/core', 'packages/api', 'apps/web'];
const WORDS = new RegExp([...Family.options, 'db_id', 'gold_sql'].join('|'));
const SKIPPED_DIRS = new Set(['node_modules', '.next', '.turbo', 'dist', 'test', 'test-results']);
const SKIPPED_FILES = /\.tsbuildinfo$/;
const REGISTRIES = new Set(['apps/web/families/index.ts']);
const PACKAGE_NAME = new RegExp(`@trueboard/(${Family.options.join('|')})\\b`, 'g');

/** A path segment named after a family: `text2sql`, `text2sql.ts`, `text2sql-detail.tsx`. */
const familyNamed = (segment: string) =>
  Family.options.some((f) => segment === f || (segment.startsWith(f) && /^[.-]/.test(segment.slice(f.length))));

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (familyNamed(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* files(path);
    } else if (entry.isFile() && !SKIPPED_FILES.test(entry.name)) yield path;
  }
}

/** `path:line: text` of every line of generic code that names a family or its fields. */
function offenders(under: string): string[] {
  const out: string[] = [];
  for (const path of files(join(ROOT, under))) {
    const name = relative(ROOT, path);
    if (REGISTRIES.has(name)) continue;
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (WORDS.test(line.replace(PACKAGE_NAME, ''))) out.push(`${name}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
  }
  return out;
}

describe('generic code names no family', () => {
  it('recognises family-named paths', () => {
    expect(['text2sql', 'text2sql.ts', 'text2sql-view.tsx', 'rerank', 'lora'].every(familyNamed)).toBe(true);
    expect(['text2sqlish.ts', 'families', 'loraxy', 'sql.ts'].some(familyNamed)).toBe(false);
  });

  for (const dir of SCANNED) {
    it(`${dir} has no family names or fields outside family-named files`, () => {
      expect(offenders(dir)).toEqual([]);
    });
  }
});
