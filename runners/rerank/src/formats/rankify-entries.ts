import { FormatError } from './format-error';
import { idProblem } from './types';

/**
 * Validation shared by the Rankify reader and writer: both must agree on what a query id is. Rankify's
 * pre-retrieved JSON is `[{question, answers, query_id?, ctxs: [{id, score, has_answer, title?, text?}]}]`.
 */

export type JsonObject = Record<string, unknown>;

export function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** The top level must be an array of objects. */
export function entriesOf(value: unknown, name: string): JsonObject[] {
  if (!Array.isArray(value))
    throw new FormatError(name, '', `expected a JSON array of entries, got ${describe(value)}`);
  value.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new FormatError(name, `entry ${i}`, `expected an object, got ${describe(entry)}`);
    }
  });
  return value as JsonObject[];
}

/** A JSON id (string or integer) as the string a run uses. */
function idString(v: unknown, name: string, at: string, field: string): string {
  let id: string;
  if (typeof v === 'string') id = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) id = String(v);
  else
    throw new FormatError(
      name,
      at,
      `"${field}" must be a string or an integer, got ${v === undefined ? 'nothing' : describe(v)}`,
    );
  const problem = idProblem(id);
  if (problem) throw new FormatError(name, at, `"${field}" ${problem}`);
  return id;
}

/**
 * An entry's query id: its `query_id` when present, else its 0-based position in the array as a string
 * ("0", "1", …). Mixing the two can make ids collide; the reader reports that as a duplicate.
 */
export function entryQueryId(entry: JsonObject, index: number, name: string): string {
  if (entry.query_id === undefined || entry.query_id === null) return String(index);
  return idString(entry.query_id, name, `entry ${index}`, 'query_id');
}

/** The entry's `ctxs` array, each an object with an id; ids are unique within the entry. */
export function entryContexts(entry: JsonObject, index: number, name: string): { ctx: JsonObject; id: string }[] {
  const at = `entry ${index}`;
  const ctxs = entry.ctxs;
  if (!Array.isArray(ctxs)) {
    throw new FormatError(name, at, `"ctxs" must be an array, got ${ctxs === undefined ? 'nothing' : describe(ctxs)}`);
  }
  const seen = new Set<string>();
  return ctxs.map((ctx: unknown, j) => {
    if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
      throw new FormatError(name, at, `"ctxs[${j}]" must be an object, got ${describe(ctx)}`);
    }
    const id = idString((ctx as JsonObject).id, name, at, `ctxs[${j}].id`);
    if (seen.has(id))
      throw new FormatError(name, at, `"ctxs[${j}].id" ${JSON.stringify(id)} appears twice in this entry`);
    seen.add(id);
    return { ctx: ctx as JsonObject, id };
  });
}
