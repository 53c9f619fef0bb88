import type { FamilyEntry, FamilyModule, FamilyRegistry } from '@trueboard/contracts';
import { isInstalled } from '@trueboard/contracts';
import { rerankFamily } from '@trueboard/rerank/family';
import { text2sqlFamily } from '@trueboard/text2sql/family';
import { loraPending } from './pending';

/**
 * Every family, by name: the one place a family's module is registered (its view is registered in
 * apps/web/families). Processes that serve or run families (the CLI, the web server, the testkit)
 * pass it to `createPlatform`; core itself depends only on the contracts' `FamilyRegistry` type.
 * Importing it loads no evaluator: each module loads its own on first use.
 */
export const families: FamilyRegistry = {
  text2sql: text2sqlFamily,
  rerank: rerankFamily,
  lora: loraPending,
};

/** The modules of the families installed in this build. */
export function installedFamilies(): FamilyModule[] {
  const entries: FamilyEntry[] = Object.values(families);
  return entries.filter(isInstalled);
}
