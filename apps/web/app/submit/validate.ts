/**
 * Checks an artifact in the browser before it is uploaded, so mistakes are caught without a round
 * trip; the server checks everything again. Returns a message naming the problem, or null.
 */
export async function checkArtifact(file: File, family: string, maxBytes: number): Promise<string | null> {
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > maxBytes) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MiB; this benchmark accepts at most ${(maxBytes / 1024 / 1024).toFixed(1)} MiB`;
  }
  if (family !== 'text2sql') return null;
  const text = await file.text();
  if (/\.json$/i.test(file.name) || text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return `${file.name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return `${file.name}: expected an object, {"predictions": {"<example id>": "SQL"}} or BIRD's {"<question_id>": "SQL\\t----- bird -----\\t<db_id>"}`;
    }
    const p = 'predictions' in parsed ? (parsed as { predictions: unknown }).predictions : parsed;
    if (!p || typeof p !== 'object' || Array.isArray(p))
      return `${file.name}: "predictions" must map example ids to SQL strings`;
    const bad = Object.entries(p).find(([, v]) => typeof v !== 'string');
    if (bad) return `${file.name}: the prediction for "${bad[0]}" is not a string`;
    return null;
  }
  if (!text.split('\n').some((l) => l.trim())) return `${file.name} has no SQL lines`;
  return null;
}
