import type { Text2SqlDataset, Text2SqlExample } from './dataset';

const planned = new WeakMap<Text2SqlDataset, { lanes: number; of: Map<Text2SqlExample, number> }>();

/**
 * Each example's lane in the SQL pool (see SqlPool `keep`): examples with the same gold query on
 * the same database share one, so the gold result is kept by one worker and compared there with
 * every prediction; the gold queries take turns, in order of first appearance, so consecutive
 * examples spread over the workers. A function of the dataset alone: the same for every system
 * evaluated on it, whose gold results are then still where they were kept.
 */
export function exampleLanes(ds: Text2SqlDataset, lanes: number): Map<Text2SqlExample, number> {
  const known = planned.get(ds);
  if (known?.lanes === lanes) return known.of;
  const golds = new Map<string, number>();
  const of = new Map<Text2SqlExample, number>();
  for (const e of ds.examples) {
    const key = `${e.dbId}\u0000${e.goldSql}`;
    let lane = golds.get(key);
    if (lane === undefined) {
      lane = golds.size % lanes;
      golds.set(key, lane);
    }
    of.set(e, lane);
  }
  planned.set(ds, { lanes, of });
  return of;
}
