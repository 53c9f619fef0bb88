import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureOk, median, seconds } from './measure';
import { CLI, evalText2sql } from './text2sql-official';

/*
 * A predictions file of 20 hostile queries on Spider dev (endless recursive CTEs and cross joins,
 * 1 GB blobs, writes, ATTACH, PRAGMA, VACUUM INTO, load_extension, two statements): the run may
 * take the timeouts that fire plus what the same run takes without them, and no process may grow
 * past the worker memory cap. Prints the ratio, the peak RSS and each example's time and reason.
 */

export const HOSTILE = fileURLToPath(new URL('./fixtures/spider-hostile.json', import.meta.url));
const TIMEOUT_S = 5;

interface Row {
  id: string;
  reason?: string;
  data: { pred_ms: number | null };
}

export function hostileRun(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-hostile-'));
  try {
    const none = join(dir, 'none.json');
    writeFileSync(none, '{"predictions": {}}\n');
    const evalArgs = (preds: string, out: string) => evalText2sql(preds, out, '--timeout', String(TIMEOUT_S));
    // the same run without the hostile queries: every gold query, nothing predicted
    const normal = median(Array.from({ length: 3 }, () => measureOk(CLI, evalArgs(none, join(dir, 'n.json'))).wallMs));
    const run = measureOk(CLI, evalArgs(HOSTILE, join(dir, 'h.json')));
    const ids = Object.keys((JSON.parse(readFileSync(HOSTILE, 'utf8')) as { predictions: object }).predictions);
    const rows = (JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8')) as { examples: Row[] }).examples.filter((e) =>
      ids.includes(e.id),
    );
    const fired = rows.filter((r) => r.reason?.includes('timed out')).length * TIMEOUT_S * 1000;
    const budget = fired + normal;
    return [
      `  ${ids.length} hostile predictions, --timeout ${TIMEOUT_S}: wall ${seconds(run.wallMs)}; ${fired / 1000 / TIMEOUT_S} timeouts fired (${seconds(fired)})`,
      `  + the same run without them (${seconds(normal)}) = ${seconds(budget)}: ${(run.wallMs / budget).toFixed(2)}× of that (target ≤ 1×)`,
      `  peak RSS of the largest process: ${run.maxRssMiB.toFixed(0)} MiB (workers are capped at 1024 MiB of data)`,
      ...rows.map(
        (r) =>
          `    ${r.id.padStart(4)} ${`${Math.round(r.data.pred_ms ?? 0)} ms`.padStart(8)}  ${r.reason ?? '(no failure)'}`,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
