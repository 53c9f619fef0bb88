import type { FacetCount } from '../types';

const count = (facets: FacetCount[], value: string) =>
  facets.find((f) => f.field === 'change' && f.value === value)?.n ?? 0;
const queries = (n: number) => `${n} quer${n === 1 ? 'y' : 'ies'}`;

/**
 * How many queries the submission made worse than BM25 (negative flips), better, or left alone:
 * the counts of the `change` facet over the whole result, with a button that lists the flips.
 */
export function FlipSummary({ facets, filter }: { facets: FacetCount[]; filter(field: string, value: string): void }) {
  if (!facets.some((f) => f.field === 'change')) return null;
  const worse = count(facets, 'worse');
  return (
    <p data-testid="flip-summary">
      Against BM25: <strong>{queries(worse)} worse (negative flips)</strong>, {count(facets, 'better')} better,{' '}
      {count(facets, 'same')} the same.{' '}
      {worse > 0 && (
        <button type="button" className="secondary" onClick={() => filter('change', 'worse')}>
          Show the {worse === 1 ? 'negative flip' : `${worse} negative flips`}
        </button>
      )}
    </p>
  );
}
