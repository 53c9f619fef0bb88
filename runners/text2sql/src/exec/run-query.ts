import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Statement } from 'better-sqlite3';
import type { ConnectionCache } from './connection-cache';
import { dqsName, dqsRewrite } from './dqs';
import { cellBytes, outOfMemoryMessage, tooLargeMessage } from './limits';
import { refusalReason } from './statement-guard';
import type { ExecFailure, ExecOutcome, ExecSuccess, SqlValue } from './types';

type RawStatement = Statement<[], unknown[]>;
type Fetched = { ok: true; columns: string[]; rows: SqlValue[][]; bytes: number } | Omit<ExecFailure, 'ms'>;

/** What one query may hold: rows and bytes (see result-size.ts). */
export interface ResultCaps {
  maxRows: number;
  maxBytes: number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_DQS_REWRITES = 64;

/** Runs one query in this process (the worker) and describes what happened; never throws for SQL reasons. */
export function runQuery(cache: ConnectionCache, dbPath: string, sql: string, caps: ResultCaps): ExecOutcome {
  const started = performance.now();
  const prepared = prepareChecked(cache, dbPath, sql);
  const fetched = 'ok' in prepared ? prepared : fetchRows(prepared, dbPath, caps);
  return { ...fetched, ms: performance.now() - started };
}

/**
 * `shared`, another text's result whose sqlKey `sql` has (see sql-key.ts), as `sql`'s own: its
 * rows, with the column names SQLite gives `sql` (prepared, not run), its size counted with them.
 * Null when `sql` does not prepare, is refused, or passes `maxBytes` with its names: running it
 * says why.
 */
export function retitled(
  cache: ConnectionCache,
  dbPath: string,
  sql: string,
  shared: ExecSuccess,
  { maxBytes }: ResultCaps,
): ExecSuccess | null {
  const prepared = prepareChecked(cache, dbPath, sql);
  if ('ok' in prepared) return null;
  let columns: string[];
  try {
    columns = prepared.columns().map((c) => c.name);
  } catch {
    return null;
  }
  let bytes = shared.bytes;
  for (const c of shared.columns) bytes -= cellBytes(c);
  for (const c of columns) bytes += cellBytes(c);
  return bytes > maxBytes ? null : { ok: true, columns, rows: shared.rows, bytes, ms: shared.ms };
}

/**
 * Runs a query `repeat` times, reporting each wall time (prepare once, then execute and fetch every
 * row per repetition); stops at the first failure and returns it, or null when every run succeeded.
 * Yields to the event loop between repetitions so each lap reaches the parent while the rest run.
 */
export async function timeQuery(
  cache: ConnectionCache,
  dbPath: string,
  sql: string,
  repeat: number,
  caps: ResultCaps,
  onLap: (ms: number) => void,
): Promise<ExecFailure | null> {
  const started = performance.now();
  const prepared = prepareChecked(cache, dbPath, sql);
  if ('ok' in prepared) return { ...prepared, ms: performance.now() - started };
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const fetched = fetchRows(prepared, dbPath, caps);
    const ms = performance.now() - t0;
    if (!fetched.ok) return { ...fetched, ms };
    onLap(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return null;
}

function prepareChecked(cache: ConnectionCache, dbPath: string, sql: string): RawStatement | Omit<ExecFailure, 'ms'> {
  // a directory or device "opens" fine and fails later with a disk I/O error: say what it is
  // (checked when the connection opens; an open connection holds the file)
  if (!cache.has(dbPath) && !statSync(dbPath, { throwIfNoEntry: false })?.isFile()) {
    return { ok: false, error: 'db_missing', message: `no database file at ${dbPath}` };
  }
  let stmt: RawStatement | undefined;
  // SQL errors are reported by their message: capturing each one's stack trace was most of its cost
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // one more try per double-quoted word SQLite would have read as a string (see dqs.ts)
    for (let tries = 0; !stmt; tries++) {
      try {
        stmt = cache.get(dbPath).prepare<[], unknown[]>(sql);
      } catch (err) {
        const name = err instanceof Error && tries < MAX_DQS_REWRITES ? dqsName(err.message) : null;
        const rewritten = name === null ? null : dqsRewrite(sql, name);
        if (rewritten === null) return describeError(err, dbPath);
        sql = rewritten;
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const refusal = refusalReason(sql, stmt);
  if (refusal) return { ok: false, error: 'refused', message: refusal };
  try {
    // exact integers beyond 2^53 survive as bigint; every other integer comes back as a number
    return stmt.raw(true).safeIntegers(true);
  } catch (err) {
    return describeError(err, dbPath);
  }
}

function fetchRows(stmt: RawStatement, dbPath: string, { maxRows, maxBytes }: ResultCaps): Fetched {
  try {
    const columns = stmt.columns().map((c) => c.name);
    const rows: SqlValue[][] = [];
    let bytes = 0;
    for (const c of columns) bytes += cellBytes(c);
    // iterate, never all(): a huge result stops at maxRows + 1 rows, or at the first row past
    // maxBytes, instead of filling memory (and nothing past the caps is ever sent to the parent)
    for (const raw of stmt.iterate()) {
      if (rows.length >= maxRows) {
        return { ok: false, error: 'too_many_rows', message: `the query returns more than ${maxRows} rows` };
      }
      for (const cell of raw) bytes += cellBytes(cell);
      if (bytes > maxBytes) return { ok: false, error: 'too_large', message: tooLargeMessage(maxBytes) };
      rows.push(raw.map(toSqlValue));
    }
    return { ok: true, columns, rows, bytes };
  } catch (err) {
    return describeError(err, dbPath);
  }
}

function toSqlValue(cell: unknown): SqlValue {
  if (typeof cell === 'bigint') return cell >= -MAX_SAFE && cell <= MAX_SAFE ? Number(cell) : cell;
  if (cell === null || typeof cell === 'number' || typeof cell === 'string' || cell instanceof Uint8Array) return cell;
  throw new TypeError(`unexpected cell value from SQLite: ${typeof cell}`);
}

/** Set by the pool for its workers (worker-process.ts); absent when run in-process. */
const MEMORY_MB = Number(process.env.TRUEBOARD_SQL_WORKER_MEMORY_MB) || null;

function describeError(err: unknown, dbPath: string): Omit<ExecFailure, 'ms'> {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  if (code === 'SQLITE_CANTOPEN')
    return { ok: false, error: 'db_missing', message: `cannot open ${dbPath}: ${message}` };
  // SQLite's allocator failed: this process is at its memory limit (see SqlPool `memoryMb`)
  if (code === 'SQLITE_NOMEM') return { ok: false, error: 'out_of_memory', message: outOfMemoryMessage(MEMORY_MB) };
  // one string or blob past SQLite's length limit (randomblob(1e9), a giant group_concat)
  if (code === 'SQLITE_TOOBIG')
    return { ok: false, error: 'too_large', message: `a value in the result is too large (${message})` };
  // better-sqlite3 refuses these itself (RangeError) before SQLite sees them
  if (/more than one statement/.test(message)) {
    return { ok: false, error: 'sql_error', message: 'multiple statements: only one SQL statement may run per query' };
  }
  if (/contains no statements/.test(message))
    return { ok: false, error: 'sql_error', message: 'empty query: no SQL statement' };
  return { ok: false, error: 'sql_error', message };
}
