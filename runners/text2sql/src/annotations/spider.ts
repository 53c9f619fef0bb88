import { type AnnotationCodec, AnnotationError, type Annotations, type DerivedFields } from '@trueboard/contracts';
import { parseDevArray, replaceLines } from './dev-files';
import {
  arrayElementSpans,
  type ElementSpans,
  fieldRemovals,
  isAsciiOnly,
  JsonShapeError,
  jsonString,
  replaceSpans,
  type Span,
  stringListLike,
} from './json-spans';
import { spiderDerivedPlan } from './spider-derived';

const EDITABLE = ['query', 'question', 'db_id'] as const;
const TOKEN_LISTS = ['query_toks', 'query_toks_no_value', 'question_toks'];

function annotationsOf(dev: Record<string, unknown>[]): Annotations {
  const out: Annotations = new Map();
  dev.forEach((e, i) => {
    out.set(String(i), {
      query: String(e.query ?? ''),
      question: String(e.question ?? ''),
      db_id: String(e.db_id ?? ''),
    });
  });
  return out;
}

const read = (files: Record<string, string>) => annotationsOf(parseDevArray(files['dev.json'] ?? ''));

/** A new token list laid out like the example's own lists (the field itself first). */
function listText(devText: string, el: ElementSpans, field: string, tokens: string[], ascii: boolean): string {
  for (const model of [field, ...TOKEN_LISTS]) {
    const span = el.fields.get(model);
    const text = span ? stringListLike(devText.slice(span.start, span.end), tokens, ascii) : null;
    if (text !== null) return text;
  }
  return `[${tokens.map((t) => jsonString(t, ascii)).join(', ')}]`;
}

/** The corrected files, and per example what happened to the fields derived from the gold. */
function rewrite(files: Record<string, string>, patches: Annotations) {
  const devText = files['dev.json'] ?? '';
  const goldText = files['dev_gold.sql'] ?? '';
  const dev = parseDevArray(devText);
  const current = annotationsOf(dev);
  const spans = arrayElementSpans(devText);
  const ascii = isAsciiOnly(devText);
  const edits: { span: Span; text: string }[] = [];
  const goldLines = new Map<number, string>();
  const derived = new Map<string, DerivedFields>();
  for (const [id, patch] of patches) {
    const i = Number(id);
    const el = spans[i];
    const now = current.get(id);
    if (!el || !now || String(i) !== id) throw new AnnotationError(`dev.json has no example ${id}`);
    for (const [field, value] of Object.entries(patch)) {
      if (!(EDITABLE as readonly string[]).includes(field))
        throw new AnnotationError(`example ${id}: "${field}" is not an editable field (${EDITABLE.join(', ')})`);
      const span = el.fields.get(field);
      if (!span) throw new AnnotationError(`dev.json example ${id} has no "${field}"`);
      edits.push({ span, text: jsonString(value, ascii) });
    }
    const plan = spiderDerivedPlan(dev[i] ?? {}, now, patch);
    for (const [field, tokens] of plan.lists) {
      const span = el.fields.get(field);
      if (span) edits.push({ span, text: listText(devText, el, field, tokens, ascii) });
    }
    for (const span of fieldRemovals(el, new Set(plan.removed.map((r) => r.field)))) edits.push({ span, text: '' });
    if (plan.regenerated.length || plan.removed.length)
      derived.set(id, { regenerated: plan.regenerated, removed: plan.removed });
    if ('query' in patch || 'db_id' in patch) {
      const next = { ...now, ...patch };
      goldLines.set(i, `${next.query}\t${next.db_id}`);
    }
  }
  const out: Record<string, string> = { 'dev.json': replaceSpans(devText, edits) };
  if (goldLines.size) out['dev_gold.sql'] = replaceLines(goldText, goldLines);
  return { files: out, derived };
}

/**
 * Spider layout: `dev.json` (example id = position) and `dev_gold.sql` (`SQL<TAB>db_id` per line,
 * in the same order). A corrected query or db_id is written to both; the fields Spider derived
 * from the gold (`query_toks`, `query_toks_no_value`, `question_toks`, `sql`) are regenerated or
 * removed (spider-derived.ts), and `derived` says which.
 */
export const spiderCodec: AnnotationCodec = {
  name: 'spider',
  editable: EDITABLE,
  files(paths) {
    if (!paths.includes('dev.json') || !paths.includes('dev_gold.sql')) return null;
    if (paths.some((p) => p.startsWith('dev_databases/'))) return null;
    return ['dev.json', 'dev_gold.sql'];
  },
  read,
  apply: (files, patches) => rewrite(files, patches).files,
  derived: (files, patches) => rewrite(files, patches).derived,
};

export { JsonShapeError };
