import { type AnnotationCodec, AnnotationError, type Annotations } from '@trueboard/contracts';
import { parseDevArray, replaceLines } from './dev-files';
import { arrayElementSpans, isAsciiOnly, jsonString, replaceSpans } from './json-spans';

const EDITABLE = ['SQL', 'question', 'evidence', 'db_id'] as const;
const GOLD_FILES = ['dev.sql', 'dev_gold.sql'];

/**
 * BIRD layout: `dev.json` with question_id, SQL, question, evidence, db_id (example id =
 * question_id), `dev_databases/`, and optionally a gold file of `SQL<TAB>db_id` lines in dev.json order.
 * BIRD ships no fields computed from the gold (no token lists or parses; `difficulty` is the
 * annotators' label of the question), so a correction has nothing derived to regenerate.
 */
export const birdCodec: AnnotationCodec = {
  name: 'bird',
  editable: EDITABLE,
  files(paths) {
    if (!paths.includes('dev.json') || !paths.some((p) => p.startsWith('dev_databases/'))) return null;
    return ['dev.json', ...GOLD_FILES.filter((g) => paths.includes(g))];
  },
  read(files) {
    const out: Annotations = new Map();
    for (const e of parseDevArray(files['dev.json'] ?? '')) {
      out.set(String(e.question_id), {
        SQL: String(e.SQL ?? ''),
        question: String(e.question ?? ''),
        evidence: String(e.evidence ?? ''),
        db_id: String(e.db_id ?? ''),
      });
    }
    return out;
  },
  apply(files, patches) {
    const devText = files['dev.json'] ?? '';
    const dev = parseDevArray(devText);
    const position = new Map(dev.map((e, i) => [String(e.question_id), i]));
    const spans = arrayElementSpans(devText);
    const ascii = isAsciiOnly(devText);
    const edits: { span: { start: number; end: number }; text: string }[] = [];
    const goldLines = new Map<number, string>();
    for (const [id, patch] of patches) {
      const i = position.get(id);
      const el = i === undefined ? undefined : spans[i];
      const now = dev[i ?? -1];
      if (i === undefined || !el || !now) throw new AnnotationError(`dev.json has no question_id ${id}`);
      for (const [field, value] of Object.entries(patch)) {
        if (!(EDITABLE as readonly string[]).includes(field))
          throw new AnnotationError(`question ${id}: "${field}" is not an editable field (${EDITABLE.join(', ')})`);
        const span = el.fields.get(field);
        if (!span) throw new AnnotationError(`dev.json question ${id} has no "${field}"`);
        edits.push({ span, text: jsonString(value, ascii) });
      }
      if ('SQL' in patch || 'db_id' in patch) {
        goldLines.set(i, `${patch.SQL ?? String(now.SQL)}\t${patch.db_id ?? String(now.db_id)}`);
      }
    }
    const out: Record<string, string> = { 'dev.json': replaceSpans(devText, edits) };
    for (const g of GOLD_FILES) {
      const text = files[g];
      if (text !== undefined && goldLines.size) out[g] = replaceLines(text, goldLines);
    }
    return out;
  },
};
