import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatBytes } from '@trueboard/contracts';
import { ByteStringIndex, byteStringAt, type QrelsQuery, qrelsFromEntries, type RunQuery } from '@trueboard/metrics';
import { readTrecQrelsFile, readTrecRunFile } from '@trueboard/metrics/trec-io';
import { BEIR_QRELS_HEADER, readBeirQrels } from '../formats/beir-qrels';
import { lineOf } from '../run-check';

/**
 * The two files of `trueboard eval rerank --qrels … --run …`, read with the streaming parsers the
 * evaluator uses. Qrels are TREC (`qid iter docid label`) or BEIR (`query-id\tcorpus-id\tscore` with
 * that header line), told apart by the first line. Every error names the file and, where there is
 * one, the line.
 */

/** Local inputs are read into memory as compact byte strings (~ id bytes + 12 per line): 2 GiB of text at most. */
export const MAX_INPUT_BYTES = 2 * 1024 ** 3;

export type QrelsFormat = 'trec' | 'beir';

async function checkFile(path: string, flag: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`${flag} ${path}: no such file`);
  if (!info.isFile()) throw new Error(`${flag} ${path}: not a file`);
  if (info.size > MAX_INPUT_BYTES) {
    throw new Error(`${flag} ${path}: ${formatBytes(info.size)}, over the ${formatBytes(MAX_INPUT_BYTES)} limit`);
  }
}

/** The first line of the file that is not blank (up to 64 KiB in), and its number. */
async function firstLine(path: string): Promise<{ text: string; number: number } | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const lines = buf.subarray(0, bytesRead).toString('utf8').split('\n');
    const complete = bytesRead < buf.length ? lines : lines.slice(0, -1);
    const i = complete.findIndex((l) => l.trim() !== '');
    return i < 0 ? null : { text: complete[i] ?? '', number: i + 1 };
  } finally {
    await fh.close();
  }
}

export async function qrelsFormat(path: string, name = basename(path)): Promise<QrelsFormat> {
  const first = await firstLine(path);
  if (!first) throw new Error(`${name}: no judgments (the file is empty)`);
  if (first.text.replace(/\r$/, '').trimEnd() === BEIR_QRELS_HEADER) return 'beir';
  const cols = first.text.trim().split(/\s+/);
  if (first.text.includes('\t') && cols.length === 3) {
    throw new Error(
      `${name} line ${first.number}: 3 columns and no BEIR header; BEIR qrels start with the line ${JSON.stringify(BEIR_QRELS_HEADER)}, TREC qrels lines are 'qid iter docid label'`,
    );
  }
  return 'trec';
}

/** Reads `--qrels` (TREC or BEIR, detected) as the metrics take it. */
export async function readQrelsInput(path: string): Promise<{ qrels: QrelsQuery[]; format: QrelsFormat }> {
  await checkFile(path, '--qrels');
  const format = await qrelsFormat(path);
  if (format === 'trec') return { qrels: await readTrecQrelsFile(path), format };
  const judged = await readBeirQrels(path);
  const entries = [...judged].flatMap(([qid, docs]) => [...docs].map(([docid, label]) => ({ qid, docid, label })));
  return { qrels: qrelsFromEntries(entries), format };
}

export async function readRunInput(path: string): Promise<RunQuery[]> {
  await checkFile(path, '--run');
  const run = await readTrecRunFile(path);
  if (run.length === 0)
    throw new Error(`${basename(path)}: the run is empty (expected 'qid Q0 docid rank score tag' lines)`);
  return run;
}

/** A document listed twice for one query in a TREC file, as `<file> line N: …`, or null when there is none. */
export async function repeatedDocument(
  queries: readonly { qid: string; docs: RunQuery['docs'] }[],
  path: string,
  what: 'ranks' | 'judges',
): Promise<string | null> {
  for (const q of queries) {
    const index = new ByteStringIndex(q.docs);
    if (index.duplicate < 0) continue;
    const docid = byteStringAt(q.docs, index.duplicate);
    // the parsers keep no line numbers: the line of the repeat is looked up when it is reported
    const line = await lineOf(path, q.qid, docid, 2);
    return `${basename(path)}${line === null ? '' : ` line ${line}`}: query '${q.qid}' ${what} document '${docid}' twice; trec_eval refuses a repeated document`;
  }
  return null;
}
