import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CorrectionValidator,
  type Evaluator,
  type Family,
  type FamilyEvalCli,
  type FamilyRegistry,
  isInstalled,
} from '@trueboard/contracts';

export type EvaluatorMap = Partial<Record<Family, Evaluator>>;

/** The family registry (packages/families), loaded when a command needs it. */
export async function builtinFamilies(): Promise<FamilyRegistry> {
  return (await import('@trueboard/families')).families;
}

/** A family's own modes of `trueboard eval <family>`, when it is installed and has any. */
export async function familyEvalCli(family: Family): Promise<FamilyEvalCli | undefined> {
  const entry = (await builtinFamilies())[family];
  return isInstalled(entry) ? await entry.cli?.() : undefined;
}

/**
 * The evaluators of the families installed in this build (each loads on first use); with `only`,
 * that family's alone (a command about one family loads no other family's code).
 */
export async function builtinEvaluators(only?: Family): Promise<EvaluatorMap> {
  const { installedFamilies } = await import('@trueboard/families');
  const map: EvaluatorMap = {};
  for (const m of installedFamilies()) if (!only || m.family === only) map[m.family] = await m.evaluator();
  return map;
}

/**
 * Loads extra evaluators from a module exporting `evaluators: Evaluator[]` (local development of a
 * new family, and the test-only evaluator of the platform's own tests). Later entries win. `only`
 * limits the built-in ones to one family, as in builtinEvaluators.
 */
export async function loadEvaluators(modules: readonly string[] = [], only?: Family): Promise<EvaluatorMap> {
  const map: EvaluatorMap = await builtinEvaluators(only);
  for (const m of modules) {
    const mod = (await importModule(m)) as { evaluators?: Evaluator[] };
    if (!Array.isArray(mod.evaluators) || mod.evaluators.length === 0) {
      throw new Error(`${m}: expected an exported "evaluators" array of Evaluator objects`);
    }
    for (const e of mod.evaluators) map[e.family] = e;
  }
  return map;
}

/** A module by path; in TypeScript too, also when the CLI runs bundled as plain JavaScript. */
async function importModule(path: string): Promise<unknown> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    return await import(url);
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ERR_UNKNOWN_FILE_EXTENSION')) throw err;
    // the bundle runs without a TypeScript loader (from source, tsx's is there already)
    (await import('tsx/esm/api')).register();
    return await import(`${url}?tsx`);
  }
}

/**
 * Per family: how a runner makes the checker of proposed corrections (the text-to-SQL one runs the
 * new gold). Runners execute them as validation jobs; the platform's web/API process never does.
 * Each is made on the runner's first check of its family.
 */
export async function builtinValidators(): Promise<Partial<Record<Family, () => Promise<CorrectionValidator>>>> {
  const { installedFamilies } = await import('@trueboard/families');
  const map: Partial<Record<Family, () => Promise<CorrectionValidator>>> = {};
  for (const m of installedFamilies()) {
    const make = m.correctionValidator;
    if (make) map[m.family] = () => make.call(m);
  }
  return map;
}
