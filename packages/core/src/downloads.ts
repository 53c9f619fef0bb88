import type { DownloadRow, FamilyDownload } from '@trueboard/contracts';
import { type DbOrTx, exampleResults } from '@trueboard/db';
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from './actor';
import { DomainError } from './errors';
import { familyModule } from './families';
import type { Platform } from './platform';
import { versionOf } from './releases';
import { currentResult } from './results';
import { getSubmission } from './submission-views';

/*
 * Files made from a submission's stored rows by its family (FamilyModule.downloads), with exactly
 * the visibility of the submission's examples: whoever may see the submission (getSubmission), and
 * "not found" for anyone else, as for an id that does not exist.
 */

/** Rows read per query while a download streams. */
const PAGE = 500;

/** A download as the page links it. */
export interface DownloadLink {
  name: string;
  label: string;
}

/** The first row of a result in the order downloads read them, or null when it has none. */
async function firstRow(db: DbOrTx, resultId: string) {
  const [row] = await db
    .select({ verdict: exampleResults.verdict, reason: exampleResults.reason, data: exampleResults.data })
    .from(exampleResults)
    .where(eq(exampleResults.resultId, resultId))
    .orderBy(sql`${exampleResults.exampleId} collate "C"`)
    .limit(1);
  return row ?? null;
}

/**
 * A result's rows in the byte order of their ids (collation "C", whatever the database's default),
 * a page at a time: a large result never sits in memory whole, and no connection is held between pages.
 */
export async function* resultRows(db: DbOrTx, resultId: string): AsyncGenerator<DownloadRow> {
  let after: string | null = null;
  for (;;) {
    const page = await db
      .select({
        id: exampleResults.exampleId,
        verdict: exampleResults.verdict,
        reason: exampleResults.reason,
        data: exampleResults.data,
      })
      .from(exampleResults)
      .where(
        and(
          eq(exampleResults.resultId, resultId),
          after === null ? undefined : sql`${exampleResults.exampleId} collate "C" > ${after}`,
        ),
      )
      .orderBy(sql`${exampleResults.exampleId} collate "C"`)
      .limit(PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]?.id ?? null;
  }
}

/** The family's downloads that a result's rows can be written as (none when it has no rows). */
async function availableDownloads(p: Platform, family: string, resultId: string): Promise<FamilyDownload[]> {
  const offered = familyModule(p, family)?.downloads ?? [];
  if (offered.length === 0) return [];
  const row = await firstRow(p.db, resultId);
  return row ? offered.filter((d) => d.available(row)) : [];
}

async function resultOf(p: Platform, s: Awaited<ReturnType<typeof getSubmission>>, version?: number) {
  const versionId = version === undefined ? s.datasetVersionId : (await versionOf(p, s.benchmarkId, version)).id;
  return currentResult(p.db, s.id, versionId);
}

/**
 * A submission's current result (on its own version, or on version `number`) with the downloads its
 * rows offer; null before there is a result. Visible as the submission is.
 */
export async function submissionResultWithDownloads(p: Platform, actor: Actor, id: string, number?: number) {
  const s = await getSubmission(p, actor, id);
  const res = await resultOf(p, s, number);
  if (!res) return null;
  const downloads: DownloadLink[] = (await availableDownloads(p, s.benchmark.family, res.id)).map((d) => ({
    name: d.name,
    label: d.label,
  }));
  return { ...res, downloads };
}

/**
 * The file `name` of a submission's current result, for whoever may see the submission. Everything
 * that can fail is checked before the first byte: an unknown or unavailable name is "not found"
 * naming those there are. `body` then streams the file as the rows are read.
 */
export async function submissionDownload(p: Platform, actor: Actor, id: string, name: string, number?: number) {
  const s = await getSubmission(p, actor, id);
  const res = await resultOf(p, s, number);
  if (!res) throw new DomainError('not_found', `submission ${s.id} has no result to download yet (it is ${s.state})`);
  const available = await availableDownloads(p, s.benchmark.family, res.id);
  const download = available.find((d) => d.name === name);
  if (!download) {
    const names = available.map((d) => d.name);
    throw new DomainError(
      'not_found',
      `no download "${name}" for submission ${s.id}; ${names.length ? `available: ${names.join(', ')}` : 'it offers none'}`,
      { available: names },
    );
  }
  return {
    fileName: download.fileName(s.id),
    mediaType: download.mediaType,
    body: download.write(resultRows(p.db, res.id), { submissionId: s.id, method: s.method.name }),
  };
}
