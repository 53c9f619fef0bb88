import type { DerivedFields } from '@trueboard/contracts';
import {
  rewrittenBySpider,
  spiderQueryToks,
  spiderQueryToksNoValue,
  spiderQuestionToks,
  type Tokens,
} from './spider-tokens';

/**
 * What a correction of one Spider example does to the fields Spider computed from its gold:
 * the token lists are regenerated where our rules are exact for the new text (spider-tokens.ts)
 * and removed otherwise; `sql`, Spider's parse of the query against the database's schema, is
 * removed whenever the query or db_id changes, since its parser is not reproduced here. A field
 * is never left describing the old gold.
 */
export interface DerivedPlan extends DerivedFields {
  /** new token lists by field */
  lists: Map<string, string[]>;
}

const SQL_WHY = {
  query: "derived from the old query by Spider's SQL parser, which is not reproduced here",
  db_id: "its table and column ids index the old db_id's schema, and Spider's SQL parser is not reproduced here",
};

/** Token rules by derived list: its source field, and the list made from a text. */
const RULES: Record<string, { source: 'query' | 'question'; make: (text: string, rewritten: boolean) => Tokens }> = {
  query_toks: { source: 'query', make: spiderQueryToks },
  query_toks_no_value: { source: 'query', make: (text) => spiderQueryToksNoValue(text) },
  question_toks: { source: 'question', make: spiderQuestionToks },
};

const same = (a: readonly string[], b: unknown) =>
  Array.isArray(b) && a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * `example`: the example as the file has it now (with its lists); `now`: its gold fields;
 * `patch`: the corrected ones. A list is regenerated only when the rules reproduce the shipped
 * list from the old text (so they are Spider's for this example) and are exact for the new one.
 */
export function spiderDerivedPlan(
  example: Record<string, unknown>,
  now: Record<string, string>,
  patch: Record<string, string>,
): DerivedPlan {
  const plan: DerivedPlan = { regenerated: [], removed: [], lists: new Map() };
  const changed = (f: string) => patch[f] !== undefined && patch[f] !== now[f];
  // which of Spider's tool generations made this example's lists: decided by the gold it had
  const rewritten = rewrittenBySpider(now.query ?? '');
  for (const [field, { source, make }] of Object.entries(RULES)) {
    if (!(field in example) || !changed(source)) continue;
    const old = make(now[source] ?? '', rewritten);
    const next = make(patch[source] ?? '', rewritten);
    const why = `derived from the old ${source}`;
    if (!('tokens' in old) || !same(old.tokens, example[field])) {
      plan.removed.push({ field, why: `${why}; these rules do not reproduce the shipped list from it` });
    } else if ('refused' in next) {
      plan.removed.push({ field, why: `${why}; the rules are not exact for the corrected one (${next.refused})` });
    } else {
      plan.lists.set(field, next.tokens);
      plan.regenerated.push(field);
    }
  }
  if ('sql' in example && (changed('query') || changed('db_id')))
    plan.removed.push({ field: 'sql', why: changed('query') ? SQL_WHY.query : SQL_WHY.db_id });
  return plan;
}
