import type { Family } from '@trueboard/contracts';
import { loraView } from './lora';
import { plainView } from './plain-view';
import { rerankView } from './rerank';
import { text2sqlView } from './text2sql';
import type { FamilyView } from './types';

export type { FamilyView } from './types';

/** One view per family: a family missing here is a compile error. */
export const familyViews: Record<Family, FamilyView> = {
  text2sql: text2sqlView,
  rerank: rerankView,
  lora: loraView,
};

/** The view of a benchmark's family (an unregistered one, e.g. from a newer database, shows its rows as JSON). */
export function familyView(family: string): FamilyView {
  return Object.hasOwn(familyViews, family) ? familyViews[family as Family] : plainView(family);
}
