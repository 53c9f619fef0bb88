/**
 * Builds benchmarks/scifact/ from the BEIR SciFact release (default /work/shared/data/scifact, or the
 * first argument): corpus.jsonl and qrels/test.tsv are copied byte for byte; queries.jsonl keeps only
 * the 300 test query ids, each line with its `metadata` (the gold evidence) cut out and every other byte
 * kept. Run: npx tsx runners/rerank/scripts/scifact-prepare.ts [source-dir]
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data/scifact', import.meta.url));
const target = fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));

const testIds = new Set(
  readFileSync(join(source, 'qrels', 'test.tsv'), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t')[0]),
);

/** The line without its `"metadata"` member; checked by parsing, so a surprise cannot slip through. */
function stripMetadata(line: string, lineNo: number): string {
  const original = JSON.parse(line) as Record<string, unknown>;
  const at = line.indexOf(', "metadata": ');
  if (at < 0 || !line.endsWith('}')) throw new Error(`queries.jsonl line ${lineNo}: no trailing "metadata" member`);
  const stripped = `${line.slice(0, at)}}`;
  const parsed = JSON.parse(stripped) as Record<string, unknown>;
  const keys = Object.keys(parsed).join(',');
  if (keys !== '_id,text' || parsed._id !== original._id || parsed.text !== original.text) {
    throw new Error(`queries.jsonl line ${lineNo}: stripping "metadata" changed the query (keys ${keys})`);
  }
  return stripped;
}

const kept: string[] = [];
readFileSync(join(source, 'queries.jsonl'), 'utf8')
  .split('\n')
  .forEach((line, i) => {
    if (line.trim() === '') return;
    const id = (JSON.parse(line) as { _id: string })._id;
    if (testIds.has(id)) kept.push(stripMetadata(line, i + 1));
  });
if (kept.length !== testIds.size) throw new Error(`found ${kept.length} of ${testIds.size} test queries`);

mkdirSync(join(target, 'qrels'), { recursive: true });
copyFileSync(join(source, 'corpus.jsonl'), join(target, 'corpus.jsonl'));
copyFileSync(join(source, 'qrels', 'test.tsv'), join(target, 'qrels', 'test.tsv'));
// the source is read-only; the copies are ordinary files in the repository
for (const f of ['corpus.jsonl', join('qrels', 'test.tsv')]) chmodSync(join(target, f), 0o644);
writeFileSync(join(target, 'queries.jsonl'), `${kept.join('\n')}\n`);
process.stdout.write(`benchmarks/scifact: ${kept.length} test queries, corpus and qrels copied from ${source}\n`);
