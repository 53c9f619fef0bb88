import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The API is routes over core: every database read and write, and the authorization that goes with
 * it, lives in core, where services and tests share it. So packages/api/src imports neither the
 * schema package nor the query builder, except for types (`import type`), which emit no code.
 */

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const DB_MODULE = /from\s+['"](@trueboard\/db(\/[^'"]*)?|drizzle-orm(\/[^'"]*)?|postgres)['"]/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** `file: statement` of every import of a database module that is not type-only. */
export function databaseImports(source: string, name: string): string[] {
  // whole statements, so a multi-line import is judged by its first word
  const statements = source.match(/^(import|export)\b[^;]*;/gm) ?? [];
  return statements
    .filter((s) => DB_MODULE.test(s) && !/^(import|export)\s+type\b/.test(s))
    .map((s) => `${name}: ${s.replace(/\s+/g, ' ')}`);
}

describe('packages/api holds no database queries', () => {
  it('recognises value imports and lets type imports through', () => {
    expect(databaseImports("import { runLogs } from '@trueboard/db';", 'a')).toHaveLength(1);
    expect(databaseImports("import {\n  and,\n  eq,\n} from 'drizzle-orm';", 'a')).toHaveLength(1);
    expect(databaseImports("import { eq } from 'drizzle-orm/sql';", 'a')).toHaveLength(1);
    expect(databaseImports("import type { Role } from '@trueboard/db';", 'a')).toEqual([]);
    expect(databaseImports("import * as core from '@trueboard/core';", 'a')).toEqual([]);
  });

  it('imports @trueboard/db and drizzle-orm for types only', () => {
    const found = [...files(SRC)].flatMap((path) => databaseImports(readFileSync(path, 'utf8'), relative(SRC, path)));
    expect(found).toEqual([]);
  });
});
