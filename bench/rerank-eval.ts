import { evaluateRerank } from '@trueboard/metrics';
import { readTrecQrelsFile, readTrecRunFile } from '@trueboard/metrics/trec-io';

/**
 * The measured side of `npm run bench -- rerank`, run as its own process so that its wall time and
 * peak RSS are comparable with trec_eval's: `rerank-eval.ts <qrels> <run> <measure>...`. Prints
 * trec_eval-like `name all value` lines, averaged over all qrels queries (trec_eval -c).
 */
const [qrelsPath, runPath, ...measures] = process.argv.slice(2);
if (!qrelsPath || !runPath || measures.length === 0) {
  process.stderr.write('usage: rerank-eval.ts <qrels> <run> <measure>...\n');
  process.exit(2);
}
const [qrels, run] = await Promise.all([readTrecQrelsFile(qrelsPath), readTrecRunFile(runPath)]);
const result = evaluateRerank(run, qrels, { measures, averaging: 'all-qrels' });
for (const m of result.measures) process.stdout.write(`${m.name}\tall\t${m.mean}\n`);
