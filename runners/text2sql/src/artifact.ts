import type { ArtifactSpec } from '@trueboard/contracts';

const MiB = 1024 * 1024;

/**
 * A quick look at a predictions file before upload (the evaluator parses it fully): Trueboard JSON
 * keyed by example id, BIRD JSON, or one SQL per line. A message naming the problem, or null.
 */
export function checkPredictions(file: { name: string; text: string }): string | null {
  const { name, text } = file;
  if (/\.json$/i.test(name) || text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return `${name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return `${name}: expected an object, {"predictions": {"<example id>": "SQL"}} or BIRD's {"<question_id>": "SQL\\t----- bird -----\\t<db_id>"}`;
    }
    const p = 'predictions' in parsed ? (parsed as { predictions: unknown }).predictions : parsed;
    if (!p || typeof p !== 'object' || Array.isArray(p))
      return `${name}: "predictions" must map example ids to SQL strings`;
    const bad = Object.entries(p).find(([, v]) => typeof v !== 'string');
    if (bad) return `${name}: the prediction for "${bad[0]}" is not a string`;
    return null;
  }
  if (!text.split('\n').some((l) => l.trim())) return `${name} has no SQL lines`;
  return null;
}

/** A text-to-SQL submission: one predictions file. */
export const text2sqlArtifact: ArtifactSpec = {
  kind: 'file',
  extensions: ['.json', '.sql', '.txt'],
  maxBytes: 20 * MiB,
  check: checkPredictions,
};
