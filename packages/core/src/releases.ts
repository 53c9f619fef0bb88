import type { DerivedFields, Family } from '@trueboard/contracts';
import { artifacts, benchmarks, corrections, datasetVersions, results, submissions, users } from '@trueboard/db';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { requireUser } from './accounts';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import { auditCorrection, refuseInvalid, versionAnnotations } from './corrections';
import { datasetContentHash, mediaTypeOf } from './datasets';
import { badInput, conflict, notFound } from './errors';
import { type Platform, transact } from './platform';
import { enqueueRun } from './run-lifecycle';
import { requireTeamRole } from './teams';

/**
 * Folds every approved correction of a benchmark into a new immutable dataset version and queues
 * the re-scoring of every submission that has a result on the parent version. All or nothing: the
 * version, its files, the corrections' new state, the audit rows and the queued runs commit in one
 * transaction (the rewritten files are stored first; an unused blob is harmless).
 */
export async function releaseVersion(p: Platform, actor: Actor, input: { benchmark: string; note?: string }) {
  const u = requireUser(actor);
  const [bench] = await p.db.select().from(benchmarks).where(eq(benchmarks.id, input.benchmark));
  if (!bench) throw notFound(`benchmark "${input.benchmark}"`);
  await requireTeamRole(p.db, u, bench.ownerTeamId, 'maintainer');
  return transact(p, async (tx) => {
    // one release at a time per benchmark
    await tx.db.select({ id: benchmarks.id }).from(benchmarks).where(eq(benchmarks.id, bench.id)).for('update');
    const [parent] = await tx.db
      .select()
      .from(datasetVersions)
      .where(eq(datasetVersions.benchmarkId, bench.id))
      .orderBy(desc(datasetVersions.number))
      .limit(1);
    if (!parent) throw notFound(`a version of "${bench.id}"`);
    const approved = await tx.db
      .select()
      .from(corrections)
      .where(and(eq(corrections.benchmarkId, bench.id), eq(corrections.state, 'approved')))
      .orderBy(asc(corrections.createdAt))
      .for('update');
    if (!approved.length) throw badInput(`bad input: "${bench.id}" has no approved corrections to release`);
    // approved while a runner was still checking it, then found invalid: it must not reach a version
    await refuseInvalid(
      tx.db,
      approved.map((c) => c.id),
      'released',
    );

    // conflicts are found before anything is written
    const byExample = new Map<string, typeof approved>();
    for (const c of approved) byExample.set(c.exampleId, [...(byExample.get(c.exampleId) ?? []), c]);
    const clashes = [...byExample].filter(([, cs]) => cs.length > 1);
    if (clashes.length) {
      throw conflict(
        `conflicting approved corrections: ${clashes.map(([ex, cs]) => `example ${ex} (${cs.map((c) => c.id).join(', ')})`).join('; ')}; withdraw or supersede all but one`,
      );
    }
    const ann = await versionAnnotations(p, bench.family, parent);
    for (const c of approved) {
      const now = ann.annotations.get(c.exampleId);
      const stale = Object.entries(c.before).filter(([f, v]) => now?.[f] !== v);
      if (!now || stale.length) {
        throw conflict(
          `correction ${c.id} was proposed against other gold than v${parent.number} has for example ${c.exampleId} (${stale.map(([f]) => f).join(', ') || 'example missing'}); propose it again`,
        );
      }
    }

    const patches = new Map(approved.map((c) => [c.exampleId, c.fields]));
    const rewritten = ann.codec.apply(ann.files, patches);
    const derived = ann.codec.derived?.(ann.files, patches) ?? new Map<string, DerivedFields>();
    const files = [...parent.files];
    for (const [path, text] of Object.entries(rewritten)) {
      const blob = await p.storage.put(Buffer.from(text, 'utf8'), { maxBytes: 1 << 30, label: path });
      await tx.db
        .insert(artifacts)
        .values({ sha256: blob.sha256, size: blob.size, mediaType: mediaTypeOf(path), storageKey: blob.storageKey })
        .onConflictDoNothing();
      const i = files.findIndex((f) => f.path === path);
      files[i] = { path, sha256: blob.sha256, size: blob.size };
    }
    const number = parent.number + 1;
    const changelog = changelogOf(bench.name, number, parent.number, approved, input.note, derived);
    const [version] = await tx.db
      .insert(datasetVersions)
      .values({
        benchmarkId: bench.id,
        number,
        parentId: parent.id,
        contentHash: datasetContentHash(files),
        files,
        changelog,
        changedExamples: [...patches.keys()],
        createdBy: u.userId,
      })
      .returning();
    if (!version) throw new Error('version insert returned nothing');
    await tx.db
      .update(corrections)
      .set({ state: 'released', releasedIn: version.id })
      .where(
        inArray(
          corrections.id,
          approved.map((c) => c.id),
        ),
      );
    for (const c of approved) {
      await auditCorrection(
        tx.db,
        u,
        'correction.released',
        c,
        { state: 'approved' },
        { state: 'released', version: number },
      );
    }
    await recordAudit(tx.db, u, {
      action: 'dataset_version.released',
      entityType: 'dataset_version',
      entityId: version.id,
      after: { benchmark: bench.id, number, parent: parent.number, corrections: approved.map((c) => c.id) },
    });

    // every submission scored on the parent is re-scored on the new version
    const scored = await tx.db
      .select({ submissionId: results.submissionId })
      .from(results)
      .innerJoin(submissions, eq(submissions.id, results.submissionId))
      .where(and(eq(results.datasetVersionId, parent.id), eq(results.isCurrent, true)));
    for (const s of scored) {
      await enqueueRun(p, tx, {
        submissionId: s.submissionId,
        datasetVersionId: version.id,
        family: bench.family as Family,
        kind: 'rescore',
      });
    }
    return { version: number, corrections: approved.length, rescoring: scored.length };
  });
}

function changelogOf(
  name: string,
  number: number,
  parent: number,
  cs: (typeof corrections.$inferSelect)[],
  note: string | undefined,
  derived: Map<string, DerivedFields>,
): string {
  const lines = [
    `# ${name} v${number}`,
    '',
    `Corrected from v${parent}: ${cs.length} example${cs.length === 1 ? '' : 's'}.`,
    '',
  ];
  if (derived.size) {
    lines.push(
      'Fields computed from the gold of a corrected example are regenerated where that is exact and removed otherwise, never left describing the old gold; each example lists them.',
      '',
    );
  }
  if (note?.trim()) lines.push(note.trim(), '');
  const code = (fields: string[]) => fields.map((f) => `\`${f}\``).join(', ');
  for (const c of cs) {
    lines.push(`## Example ${c.exampleId} — ${c.category}`, '', `Correction \`${c.id}\``, '');
    for (const [f, v] of Object.entries(c.fields)) {
      lines.push(`- \`${f}\`: \`${(c.before[f] ?? '').replaceAll('`', "'")}\` → \`${v.replaceAll('`', "'")}\``);
    }
    const d = derived.get(c.exampleId);
    if (d?.regenerated.length) lines.push(`- regenerated from the corrected gold: ${code(d.regenerated)}`);
    for (const r of d?.removed ?? []) lines.push(`- removed: \`${r.field}\` — ${r.why}`);
    lines.push('', c.rationale.trim(), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export async function versionOf(p: Platform, benchmarkId: string, number: number) {
  const [v] = await p.db
    .select()
    .from(datasetVersions)
    .where(and(eq(datasetVersions.benchmarkId, benchmarkId), eq(datasetVersions.number, number)));
  if (!v) throw notFound(`version ${number} of "${benchmarkId}"`);
  return v;
}

/** A version: its files, changelog and parent number. */
export async function getVersion(p: Platform, benchmarkId: string, number: number) {
  const v = await versionOf(p, benchmarkId, number);
  const [parent] = v.parentId
    ? await p.db
        .select({ number: datasetVersions.number })
        .from(datasetVersions)
        .where(eq(datasetVersions.id, v.parentId))
    : [];
  return {
    number: v.number,
    parent: parent?.number ?? null,
    contentHash: v.contentHash,
    files: v.files,
    changelog: v.changelog,
    changedExamples: v.changedExamples,
    createdAt: v.createdAt,
  };
}

/** The stored blob of one file of a version (for downloads in the original layout). */
export async function versionFile(p: Platform, benchmarkId: string, number: number, path: string) {
  const v = await versionOf(p, benchmarkId, number);
  const f = v.files.find((x) => x.path === path);
  if (!f) throw notFound(`file "${path}" in version ${number} of "${benchmarkId}"`);
  const [a] = await p.db.select().from(artifacts).where(eq(artifacts.sha256, f.sha256));
  if (!a) throw notFound(`blob of "${path}"`);
  return { ...f, mediaType: a.mediaType, open: () => p.storage.open(a.storageKey) };
}

/** One record per example changed from the parent: before and after fields, and the corrections. */
export async function versionDiff(p: Platform, benchmarkId: string, number: number) {
  const v = await versionOf(p, benchmarkId, number);
  const cs = await p.db
    .select({ c: corrections, proposer: users.name })
    .from(corrections)
    .innerJoin(users, eq(users.id, corrections.proposedBy))
    .where(eq(corrections.releasedIn, v.id))
    .orderBy(asc(corrections.exampleId));
  return {
    benchmark: benchmarkId,
    version: number,
    parent: number - 1,
    changes: cs.map(({ c, proposer }) => ({
      exampleId: c.exampleId,
      before: c.before,
      after: c.fields,
      corrections: [{ id: c.id, category: c.category, rationale: c.rationale, proposer }],
    })),
  };
}
