import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RelativePath } from '@trueboard/contracts';
import { methods, submissions, teams } from '@trueboard/db';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { parse, requireAdmin } from './accounts';
import type { Actor } from './actor';
import { badInput } from './errors';
import { createMethod } from './methods';
import type { Platform } from './platform';
import { submit } from './submissions';
import { createTeam } from './teams';

export const BaselineEntry = z.object({
  /** a file, or a directory (e.g. an ONNX model) submitted as the deterministic tar packDirectory makes */
  file: RelativePath,
  method: z.string().min(1).max(120),
  description: z.string().default(''),
  paperUrl: z.string().url().optional(),
  codeUrl: z.string().url().optional(),
});

export const BASELINES_TEAM = 'baselines';

/**
 * Submits a benchmark's published reference systems (`<dir>/baselines/baselines.json`) as
 * baseline entries of the `baselines` team, through the normal submission path, so they are scored
 * by a runner like everyone else. Entries already submitted are skipped. An entry whose `file` is a
 * directory is uploaded as `trueboard submit` uploads one: packed into a plain tar with sorted
 * entries and fixed metadata, so the same directory is always the same artifact (same sha256).
 */
export async function seedBaselines(p: Platform, actor: Actor, benchmarkId: string, dir: string) {
  requireAdmin(actor);
  const listFile = join(dir, 'baselines', 'baselines.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(listFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw badInput(`bad input: ${listFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const entries = parse(z.array(BaselineEntry), raw, listFile);
  let [team] = await p.db.select().from(teams).where(eq(teams.slug, BASELINES_TEAM));
  if (!team) team = await createTeam(p, actor, { slug: BASELINES_TEAM, name: 'Published baselines' });
  const created: { method: string; submissionId: string }[] = [];
  for (const e of entries) {
    let [m] = await p.db
      .select()
      .from(methods)
      .where(and(eq(methods.teamId, team.id), eq(methods.name, e.method)));
    if (!m) {
      m = await createMethod(p, actor, {
        team: BASELINES_TEAM,
        name: e.method,
        description: e.description,
        paperUrl: e.paperUrl,
        codeUrl: e.codeUrl,
      });
    }
    const [existing] = await p.db
      .select({ id: submissions.id })
      .from(submissions)
      .where(and(eq(submissions.benchmarkId, benchmarkId), eq(submissions.methodId, m.id)));
    if (existing) continue;
    const meta = { benchmark: benchmarkId, method: m.id, note: 'published predictions' };
    const s = await submitBaselineFile(join(dir, 'baselines', e.file), `${listFile}: "${e.file}"`, (body) =>
      submit(p, actor, meta, body, { isBaseline: true }),
    );
    created.push({ method: e.method, submissionId: s.id });
  }
  return created;
}

/** Hands `send` the bytes of a baseline file, or of a directory packed as a deterministic tar. */
async function submitBaselineFile<T>(
  path: string,
  label: string,
  send: (body: Uint8Array | Readable) => Promise<T>,
): Promise<T> {
  const info = await stat(path).catch(() => null);
  if (!info) throw badInput(`bad input: ${label} does not exist`);
  if (!info.isDirectory()) return send(await readFile(path));
  // loaded here, not at the top: the web app bundles this module and never seeds baselines
  const { packDirectory } = await import(/* turbopackIgnore: true */ './pack-directory');
  const work = await mkdtemp(join(tmpdir(), 'trueboard-baseline-'));
  try {
    const tar = join(work, 'artifact.tar');
    await packDirectory(path, tar).catch((err: unknown) => {
      throw badInput(`bad input: ${label}: ${err instanceof Error ? err.message : String(err)}`);
    });
    return await send(createReadStream(tar));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
