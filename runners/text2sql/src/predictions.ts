import { FormatError, type Text2SqlDataset } from './dataset';

export type PredictionFormat = 'trueboard' | 'bird' | 'spider';

export interface Predictions {
  format: PredictionFormat;
  /** predicted SQL by example id; an example without an entry has no prediction (scored 0) */
  byId: Map<string, string>;
}

const BIRD_SEP = '\t----- bird -----\t';

/** Guesses the format from the content: JSON with "predictions" → trueboard, JSON with BIRD separators → bird, else lines. */
export function detectFormat(text: string): PredictionFormat {
  const t = text.trimStart();
  if (!t.startsWith('{')) return 'spider';
  try {
    const j = JSON.parse(t) as Record<string, unknown>;
    if (j && typeof j === 'object' && 'predictions' in j) return 'trueboard';
    return 'bird';
  } catch {
    return 'spider'; // a line-per-query file can start with "{" only by accident; the line importer reports problems
  }
}

/** Parses predictions in any supported format and keys them by example id. */
export function parsePredictions(
  text: string,
  ds: Text2SqlDataset,
  name: string,
  format = detectFormat(text),
): Predictions {
  switch (format) {
    case 'trueboard':
      return { format, byId: parseTrueboard(text, ds, name) };
    case 'bird':
      return { format, byId: parseBird(text, ds, name) };
    case 'spider':
      return { format, byId: importLines(text, ds, name) };
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError(`${name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function unknownIds(ids: string[], ds: Text2SqlDataset, name: string) {
  const known = new Set(ds.examples.map((e) => e.id));
  const bad = ids.filter((id) => !known.has(id));
  if (bad.length) {
    throw new FormatError(
      `${name}: ${bad.length} prediction${bad.length > 1 ? 's' : ''} for unknown example id${bad.length > 1 ? 's' : ''} ${bad
        .slice(0, 5)
        .map((b) => `"${b}"`)
        .join(', ')}${bad.length > 5 ? ', …' : ''}`,
    );
  }
}

/** Trueboard's own format: `{"predictions": {"<example id>": "SQL"}}` — keyed by id, never by position. */
function parseTrueboard(text: string, ds: Text2SqlDataset, name: string): Map<string, string> {
  const j = parseJson(text, name) as { predictions?: unknown };
  if (!j.predictions || typeof j.predictions !== 'object' || Array.isArray(j.predictions)) {
    throw new FormatError(`${name}: "predictions" must be an object mapping example ids to SQL strings`);
  }
  const out = new Map<string, string>();
  for (const [id, sql] of Object.entries(j.predictions as Record<string, unknown>)) {
    if (typeof sql !== 'string') throw new FormatError(`${name}: predictions."${id}": expected a SQL string`);
    out.set(id, sql);
  }
  unknownIds([...out.keys()], ds, name);
  return out;
}

/** BIRD's format: `{"<question_id>": "SQL\t----- bird -----\t<db_id>"}`, paired by key (BIRD's script pairs by position). */
function parseBird(text: string, ds: Text2SqlDataset, name: string): Map<string, string> {
  const j = parseJson(text, name);
  if (!j || typeof j !== 'object' || Array.isArray(j))
    throw new FormatError(`${name}: expected an object keyed by question_id`);
  const dbOf = new Map(ds.examples.map((e) => [e.id, e.dbId]));
  const out = new Map<string, string>();
  for (const [id, v] of Object.entries(j as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new FormatError(`${name}: "${id}": expected "SQL\\t----- bird -----\\t<db_id>"`);
    const i = v.lastIndexOf(BIRD_SEP);
    const sql = i >= 0 ? v.slice(0, i) : v;
    const db = i >= 0 ? v.slice(i + BIRD_SEP.length).trim() : undefined;
    const expected = dbOf.get(id);
    if (db && expected && db !== expected)
      throw new FormatError(`${name}: "${id}": db_id "${db}" but the example is on "${expected}"`);
    out.set(id, sql);
  }
  unknownIds([...out.keys()], ds, name);
  return out;
}

/**
 * The position-based importer for one-SQL-per-line files (Spider's format): each line is read as
 * `line.strip().split('\t')[0]`; a trailing `\t<db_id>` must match the example's database. The line
 * count must equal the number of examples; otherwise the error says which line is extra or missing
 * when the db_id tags can tell, and how many otherwise.
 */
export function importLines(text: string, ds: Text2SqlDataset, name: string): Map<string, string> {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // final newline (or none: both are fine)
  const n = ds.examples.length;
  const dbAt = (i: number) => lines[i]?.trim().split('\t')[1]?.trim();
  if (lines.length !== n) {
    const diff = lines.length - n;
    let where = '';
    const tagged = lines.some((_, i) => dbAt(i) !== undefined);
    if (tagged) {
      const first = ds.examples.findIndex((e, i) => dbAt(i) !== e.dbId);
      if (first >= 0) where = ` at or before line ${first + 1} (the first line whose db_id does not match)`;
    } else {
      where = diff > 0 ? `; the extra line${diff > 1 ? 's are' : ' is'} at or before line ${lines.length}` : '';
    }
    throw new FormatError(
      `${name}: ${lines.length} lines but the dataset has ${n} examples: ${Math.abs(diff)} line${Math.abs(diff) > 1 ? 's' : ''} ${
        diff > 0 ? 'extra' : 'missing'
      }${where}. Position-based files must have exactly one line per example (an empty line for no prediction); use the trueboard format to key predictions by id`,
    );
  }
  const out = new Map<string, string>();
  ds.examples.forEach((e, i) => {
    const line = lines[i] ?? '';
    const db = dbAt(i);
    if (db && db !== e.dbId)
      throw new FormatError(`${name}: line ${i + 1}: db_id "${db}" but example ${e.id} is on "${e.dbId}"`);
    const sql = line.trim().split('\t')[0] ?? '';
    if (sql) out.set(e.id, sql);
  });
  return out;
}
