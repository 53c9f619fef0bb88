import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DownloadRow, EvaluationReport, FamilyDownload } from '@trueboard/contracts';
import { rerankDownloads } from '../downloads';

/** Byte order of UTF-8, as the platform reads rows for a download (collation "C"). */
function byBytes(a: DownloadRow, b: DownloadRow): number {
  return Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8'));
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * `--write-run` / `--write-rankify`: the report's rows written by the platform's own downloads, in the
 * order the platform reads them, so a file equals what the submission page offers for the same model
 * (with `--run-tag` set to the method's name). Each file is written beside its final name and renamed
 * once complete: a failure leaves no half-written file.
 */
export async function writeDownloads(
  report: EvaluationReport,
  files: { run?: string; rankify?: string },
  tag: string,
  say: (text: string) => void,
): Promise<void> {
  const rows: DownloadRow[] = report.examples
    .map((e) => ({ id: e.id, verdict: e.verdict, reason: e.reason ?? null, data: e.data }))
    .sort(byBytes);
  const wanted: [string | undefined, string][] = [
    [files.run, 'run.trec'],
    [files.rankify, 'rankify.json'],
  ];
  for (const [file, name] of wanted) {
    if (!file) continue;
    const download = rerankDownloads.find((d) => d.name === name) as FamilyDownload;
    const first = rows[0];
    if (first && !download.available(first)) {
      throw new Error(`${file}: the report's rows hold no ranking to write (an evaluator before 1.2.0?)`);
    }
    const temporary = join(dirname(file), `.${Date.now()}-${process.pid}.partial`);
    try {
      const chunks = download.write(each(rows), { submissionId: '', method: tag });
      await pipeline(Readable.from(chunks), createWriteStream(temporary));
      await rename(temporary, file);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    say(`${download.label} written to ${file}\n`);
  }
}
