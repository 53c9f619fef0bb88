/**
 * A method's hyperparameters as people type them in the submit form: `name=value` pairs separated
 * by commas or new lines, e.g. `learningRate=3e-4, rank=8, optimizer=adamw`. Numbers and
 * true/false become numbers and booleans; anything else stays text. Which names mean something is
 * up to the families (the LoRA board shows `learningRate` and `trainableParams`); the form takes
 * any. The API checks the values again (contracts' Hyperparameters).
 */
export type HyperparameterValue = string | number | boolean;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const MAX_PAIRS = 100;

export function parseHyperparameters(
  text: string,
): { ok: true; value: Record<string, HyperparameterValue> } | { ok: false; error: string } {
  const value: Record<string, HyperparameterValue> = {};
  const pairs = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (pairs.length > MAX_PAIRS) return { ok: false, error: `at most ${MAX_PAIRS} hyperparameters` };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) return { ok: false, error: `"${pair}" needs a value: write name=value` };
    const name = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    if (!NAME.test(name))
      return { ok: false, error: `"${name}" is not a hyperparameter name (letters, digits, _ . -; a letter first)` };
    if (name in value) return { ok: false, error: `${name} is given twice` };
    if (!raw) return { ok: false, error: `${name} has no value` };
    value[name] = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { ok: true, value };
}

/** `learningRate 0.0003 · rank 8`: for the submission page. */
export function describeHyperparameters(h: Record<string, unknown>): string {
  return Object.entries(h)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(' · ');
}
