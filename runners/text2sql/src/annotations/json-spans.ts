/**
 * Where each top-level field of each object in a top-level JSON array sits in the text, so one
 * value can be replaced without re-serializing (and so reformatting) the rest of the file.
 */
export interface Span {
  start: number;
  end: number;
}

export interface ElementSpans {
  span: Span;
  /** value spans of the object's own keys (not nested ones) */
  fields: Map<string, Span>;
  /** spans of those keys themselves (the quoted name) */
  keys: Map<string, Span>;
}

export class JsonShapeError extends Error {
  override name = 'JsonShapeError';
}

export function arrayElementSpans(text: string): ElementSpans[] {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && /\s/.test(text[i] ?? '')) i++;
  };
  const fail = (what: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new JsonShapeError(`line ${line}: ${what}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= n) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      str();
      return;
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          ws();
          if (text[i] !== '"') fail('expected a key');
          str();
          ws();
          if (text[i] !== ':') fail('expected ":"');
          i++;
        }
        skipValue();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`expected "," or "${close}"`);
      }
    }
    // number, true, false, null
    const m = /^-?[\w.+-]+/.exec(text.slice(i, i + 64));
    if (!m) fail('expected a value');
    i += m?.[0].length ?? 0;
  };

  ws();
  if (text[i] !== '[') fail('expected a JSON array of examples');
  i++;
  const out: ElementSpans[] = [];
  ws();
  if (text[i] === ']') return out;
  for (;;) {
    ws();
    const start = i;
    const fields = new Map<string, Span>();
    const keys = new Map<string, Span>();
    if (text[i] !== '{') fail(`example ${out.length} is not an object`);
    i++;
    ws();
    if (text[i] !== '}') {
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const kStart = i;
        const key = str();
        keys.set(key, { start: kStart, end: i });
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        ws();
        const vStart = i;
        skipValue();
        fields.set(key, { start: vStart, end: i });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') break;
        fail('expected "," or "}"');
      }
    }
    i++;
    out.push({ span: { start, end: i }, fields, keys });
    ws();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ']') break;
    fail('expected "," or "]"');
  }
  return out;
}

/** A JSON string literal in the file's own style: \uXXXX for non-ASCII when the file does that. */
export function jsonString(value: string, asciiOnly: boolean): string {
  const s = JSON.stringify(value);
  return asciiOnly ? s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : s;
}

/** Whether a JSON file escapes every non-ASCII character (Python's json.dump default). */
export function isAsciiOnly(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a range test, not a control character match
  return /^[\u0000-\u007f]*$/.test(text);
}

/** Replaces spans (non-overlapping) with new text, keeping every other byte. */
export function replaceSpans(text: string, edits: { span: Span; text: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  return out;
}

const STRING_ITEM = /"(?:[^"\\]|\\.)*"/g;

/**
 * A JSON array of strings laid out like `model`, an array of at least two strings from the same
 * file (its opening, separator and closing whitespace: `json.dump(indent=4)` lists stay one item a
 * line at the model's indent). Null when the model is not such an array.
 */
export function stringListLike(model: string, values: readonly string[], asciiOnly: boolean): string | null {
  const items = [...model.matchAll(STRING_ITEM)];
  const [first, second] = items;
  const last = items.at(-1);
  if (!first || !second || !last || !model.startsWith('[') || !model.endsWith(']')) return null;
  const end = (m: RegExpExecArray) => m.index + m[0].length;
  const open = model.slice(1, first.index);
  const sep = model.slice(end(first), second.index);
  const close = model.slice(end(last), -1);
  if (!/^\s*$/.test(open) || !/^\s*,\s*$/.test(sep) || !/^\s*$/.test(close)) return null;
  if (!values.length) return '[]';
  return `[${open}${values.map((v) => jsonString(v, asciiOnly)).join(sep)}${close}]`;
}

/**
 * The spans that removing some fields of an object takes out (key, value and one comma each),
 * adjacent rather than overlapping when removed fields follow each other.
 */
export function fieldRemovals(el: ElementSpans, remove: ReadonlySet<string>): Span[] {
  const order = [...el.keys].sort((a, b) => a[1].start - b[1].start).map(([k]) => k);
  const out: Span[] = [];
  let keptBefore = false;
  order.forEach((field, at) => {
    const value = el.fields.get(field);
    const key = el.keys.get(field);
    if (!value || !key) return;
    if (!remove.has(field)) {
      keptBefore = true;
      return;
    }
    // after a kept field: from the end of the previous value (its comma on); else up to the next key
    const prev = el.fields.get(order[at - 1] ?? '');
    const next = el.keys.get(order[at + 1] ?? '');
    if (keptBefore && prev) out.push({ start: prev.end, end: value.end });
    else out.push({ start: key.start, end: next ? next.start : value.end });
  });
  return out;
}
