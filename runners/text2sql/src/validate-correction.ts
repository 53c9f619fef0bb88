import type { CorrectionValidation, CorrectionValidator } from '@trueboard/contracts';
import { exBird, exSpider, goldHasOrderBy } from '@trueboard/metrics';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB, SqlPool } from './exec/index';
import { preview } from './score';

/**
 * Checks a proposed text-to-SQL correction by running the old and the new gold query on the
 * example's database (read-only, in the killable worker pool, within `timeoutS`). A new query
 * that fails, is refused or times out makes the proposal invalid; otherwise both results are
 * returned for the page to show side by side. Works for Spider (`query`) and BIRD (`SQL`) layouts.
 *
 * It runs in the web server's process tree, so its results are capped like an evaluation's: at most
 * `maxRows` rows and `maxBytes` bytes are kept (a new query past them is refused with "result
 * larger than …"), in one worker limited to `memoryMb`; only previews are kept after the check.
 * Checks run one at a time, so however many proposals arrive at once, the server holds the full
 * results of one check only (at most 2 × `maxBytes`).
 */
export function text2sqlCorrectionValidator(
  opts: { timeoutS?: number; maxRows?: number; maxBytes?: number; memoryMb?: number } = {},
): CorrectionValidator {
  let pool: SqlPool | null = null;
  const limits = {
    timeoutMs: (opts.timeoutS ?? 30) * 1000,
    maxRows: opts.maxRows ?? 100_000,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_RESULT_BYTES,
  };
  let last: Promise<unknown> = Promise.resolve();
  const check: CorrectionValidator['validate'] = async ({ example, fields, file }) => {
    const sqlField = 'SQL' in example ? 'SQL' : 'query';
    const dbId = fields.db_id ?? example.db_id ?? '';
    const newSql = fields[sqlField];
    if (newSql === undefined && fields.db_id === undefined) return { ok: true, details: {} };
    const dbPath =
      (await file(`database/${dbId}/${dbId}.sqlite`)) ?? (await file(`dev_databases/${dbId}/${dbId}.sqlite`));
    if (!dbPath) return { ok: false, message: `database "${dbId}" is not part of this dataset version`, details: {} };
    pool ??= new SqlPool({ size: 1, memoryMb: opts.memoryMb ?? DEFAULT_WORKER_MEMORY_MB });
    const oldSql = example[sqlField] ?? '';
    const [before, after] = [
      await pool.execute(dbPath, oldSql, limits),
      await pool.execute(dbPath, newSql ?? oldSql, limits),
    ];
    const details = {
      db_id: dbId,
      old: before.ok ? { sql: oldSql, ...preview(before) } : { sql: oldSql, error: before.message },
      new: after.ok ? { sql: newSql ?? oldSql, ...preview(after) } : { sql: newSql ?? oldSql, error: after.message },
      same_result_bird: before.ok && after.ok ? exBird(after.rows, before.rows) : null,
      same_result_spider:
        before.ok && after.ok
          ? exSpider(after.rows, before.rows, { orderMatters: goldHasOrderBy(newSql ?? oldSql) })
          : null,
    };
    if (!after.ok) {
      const why =
        after.error === 'too_large' || after.error === 'out_of_memory'
          ? after.message
          : `${after.error}: ${after.message}`;
      return { ok: false, message: `the new gold query does not run: ${why}`, details };
    }
    return { ok: true, details };
  };
  return {
    validate(input): Promise<CorrectionValidation> {
      const run = last.then(() => check(input));
      last = run.catch(() => {});
      return run;
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
