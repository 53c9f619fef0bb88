import { mergeReranked, type RankedDoc } from './rerank-order';
import type { CrossEncoder, ScoreControl, ScoreStats } from './scorer';

export interface RerankQuery {
  queryId: string;
  text: string;
  /** the first-stage list, best first; `text` is what the cross-encoder reads (BEIR: title + text) */
  candidates: readonly { docId: string; text: string }[];
}

/**
 * Re-ranks the top `depth` candidates of every query with the cross-encoder; the rest keep their
 * first-stage order below them (see mergeReranked). All queries' pairs are scored in one call, so
 * batches by length are drawn from the whole run and stay nearly free of padding. `control` reports
 * progress over pairs and stops between batches on abort.
 */
export async function rerankQueries(
  encoder: Pick<CrossEncoder, 'score'>,
  queries: readonly RerankQuery[],
  depth: number,
  control: ScoreControl = {},
): Promise<{ ranked: Map<string, RankedDoc[]>; stats: ScoreStats }> {
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`depth must be a whole number, got ${depth}`);
  const pairs = queries.flatMap((q) => q.candidates.slice(0, depth).map((c) => ({ query: q.text, passage: c.text })));
  const { scores, stats } = await encoder.score(pairs, control);
  const ranked = new Map<string, RankedDoc[]>();
  let offset = 0;
  for (const q of queries) {
    const n = Math.min(depth, q.candidates.length);
    ranked.set(
      q.queryId,
      mergeReranked(
        q.candidates.map((c) => c.docId),
        scores.subarray(offset, offset + n),
      ),
    );
    offset += n;
  }
  return { ranked, stats };
}
