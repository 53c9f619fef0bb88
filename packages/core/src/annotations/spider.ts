import { type AnnotationCodec, AnnotationError, type Annotations, parseDevArray, replaceLines } from './codec';
import { arrayElementSpans, isAsciiOnly, JsonShapeError, jsonString, replaceSpans } from './json-spans';

const EDITABLE = ['query', 'question', 'db_id'] as const;

/**
 * Spider layout: `dev.json` (example id = position) and `dev_gold.sql` (`SQL<TAB>db_id` per line,
 * in the same order). A corrected query or db_id is written to both.
 */
export const spiderCodec: AnnotationCodec = {
  name: 'spider',
  editable: EDITABLE,
  files(paths) {
    if (!paths.includes('dev.json') || !paths.includes('dev_gold.sql')) return null;
    if (paths.some((p) => p.startsWith('dev_databases/'))) return null;
    return ['dev.json', 'dev_gold.sql'];
  },
  read(files) {
    const dev = parseDevArray(files['dev.json'] ?? '');
    const out: Annotations = new Map();
    dev.forEach((e, i) => {
      out.set(String(i), {
        query: String(e.query ?? ''),
        question: String(e.question ?? ''),
        db_id: String(e.db_id ?? ''),
      });
    });
    return out;
  },
  apply(files, patches) {
    const devText = files['dev.json'] ?? '';
    const goldText = files['dev_gold.sql'] ?? '';
    const current = this.read(files);
    const spans = arrayElementSpans(devText);
    const ascii = isAsciiOnly(devText);
    const edits: { span: { start: number; end: number }; text: string }[] = [];
    const goldLines = new Map<number, string>();
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
      if ('query' in patch || 'db_id' in patch) {
        const next = { ...now, ...patch };
        goldLines.set(i, `${next.query}\t${next.db_id}`);
      }
    }
    const out: Record<string, string> = { 'dev.json': replaceSpans(devText, edits) };
    if (goldLines.size) out['dev_gold.sql'] = replaceLines(goldText, goldLines);
    return out;
  },
};

export { JsonShapeError };
