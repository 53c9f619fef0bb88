import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importBenchmarkDir, proposeCorrection } from '@trueboard/core';
import { correctionValidations } from '@trueboard/db';
import { makeUser, testPlatform } from '@trueboard/testkit';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

/*
 * The web/API process never executes a gold query or a model: proposals are checked by runners
 * (issue 12). Structurally, the platform has no validators to call and the code the web and API
 * process runs never makes or calls a family's correction validator, nor opens SQLite; behaviourally,
 * a proposal whose gold would fail is stored `validating` and left for a runner.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** What `next start` and `trueboard start` run in the server process (runners are other processes). */
const SERVER_CODE = [
  'packages/core/src',
  'packages/api/src',
  'apps/web/app',
  'apps/web/lib',
  'apps/web/families',
  'apps/web/components',
];
const SERVER_FILES = ['packages/cli/src/commands/start.ts', 'packages/cli/src/web-server.ts'];
/** Making or calling a validator, the SQL engine, or the CLI helper that makes validators. */
const EXECUTES =
  /correctionValidator\s*(\(|\.call|\.apply|\.bind)|=\s*[\w?.]+\.correctionValidator\s*;|better-sqlite3|builtinValidators|SqlPool/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', '.next', 'test'].includes(entry.name)) yield* files(path);
    } else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

/** `path:line: text` of each line of server code that makes or runs a validator. */
function executingLines(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (EXECUTES.test(line)) out.push(`${relative(ROOT, path)}:${i + 1}: ${line.trim()}`);
      });
  }
  return out;
}

describe('the platform process never executes a gold', () => {
  it('finds the patterns it looks for', () => {
    expect(
      [
        'const v = await m.correctionValidator();',
        'const make = m.correctionValidator;',
        'm.correctionValidator.call(m)',
        "import Database from 'better-sqlite3';",
        'validators: await builtinValidators(),',
      ].every((l) => EXECUTES.test(l)),
    ).toBe(true);
    // asking whether a family has a validator is not running it
    expect(EXECUTES.test('familyModule(p, f)?.correctionValidator !== undefined')).toBe(false);
  });

  it('has no validator in its code, nor in the platform object', async () => {
    const paths = [...SERVER_CODE.flatMap((d) => [...files(join(ROOT, d))]), ...SERVER_FILES.map((f) => join(ROOT, f))];
    expect(paths.length).toBeGreaterThan(50);
    expect(executingLines(paths)).toEqual([]);
    const p = await testPlatform();
    try {
      expect(Object.keys(p)).not.toContain('validators');
    } finally {
      await p.close();
    }
  });

  it('stores a proposal whose gold would fail as validating, for a runner to check', async () => {
    const p = await testPlatform();
    try {
      const admin = await makeUser(p, { admin: true });
      await importBenchmarkDir(
        p,
        admin.actor,
        fileURLToPath(new URL('../../../benchmarks/spider-dev', import.meta.url)),
      );
      const c = await proposeCorrection(p, (await makeUser(p)).actor, {
        benchmark: 'spider-dev',
        exampleId: '0',
        fields: { query: 'SELECT count(*) FROM no_such_table' },
        category: 'wrong_gold',
        rationale: 'it fails',
      });
      expect(c.validationStatus.status).toBe('validating');
      expect(c.validation).toBeNull();
      const [row] = await p.db.select().from(correctionValidations).where(eq(correctionValidations.correctionId, c.id));
      expect(row).toMatchObject({ status: 'validating', attempts: 0, family: 'text2sql', runnerId: null });
    } finally {
      await p.close();
    }
  }, 60_000);
});
