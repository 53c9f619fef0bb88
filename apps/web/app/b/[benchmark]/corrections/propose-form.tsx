'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { familyView } from '../../../../families';
import { errorMessage, trpc } from '../../../../lib/trpc';

/** Load an example's gold, edit fields, give a category and rationale; a runner of the family then validates it. */
export function ProposeForm({
  benchmark,
  family,
  initialExample,
  categories,
}: {
  benchmark: string;
  family: string;
  initialExample?: string;
  categories: string[];
}) {
  const fieldStyle = familyView(family).corrections.field;
  const router = useRouter();
  const [exampleId, setExampleId] = useState(initialExample ?? '');
  const [loadId, setLoadId] = useState(initialExample ?? '');
  const gold = useQuery({
    queryKey: ['gold', benchmark, loadId],
    queryFn: () => trpc.corrections.example.query({ benchmark, exampleId: loadId }),
    enabled: loadId !== '',
    retry: false,
  });
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    if (gold.data) setValues(gold.data.fields);
  }, [gold.data]);
  type Category = Parameters<typeof trpc.corrections.propose.mutate>[0]['category'];
  const [category, setCategory] = useState<Category>('wrong_gold');
  const [rationale, setRationale] = useState('');
  const [evidence, setEvidence] = useState('');
  const changed = gold.data
    ? Object.fromEntries(Object.entries(values).filter(([k, v]) => gold.data && gold.data.fields[k] !== v))
    : {};
  const propose = useMutation({
    mutationFn: () =>
      trpc.corrections.propose.mutate({ benchmark, exampleId: loadId, fields: changed, category, rationale, evidence }),
    onSuccess: (c) => router.push(`/c/${c.id}`),
  });
  return (
    <div style={{ display: 'grid', gap: '0.8rem', maxWidth: 800 }}>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setLoadId(exampleId.trim());
        }}
      >
        <label>
          Example id
          <input value={exampleId} onChange={(e) => setExampleId(e.target.value)} placeholder="e.g. 493" />
        </label>
        <button type="submit" className="secondary">
          Load its gold
        </button>
        {gold.error && (
          <span className="field-error" role="alert">
            {errorMessage(gold.error)}
          </span>
        )}
      </form>
      {gold.data && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            propose.mutate();
          }}
          style={{ display: 'grid', gap: '0.8rem' }}
          aria-label="Propose a correction"
        >
          {gold.data.editable.map((f) => (
            <label key={f}>
              {f}
              <textarea
                name={f}
                rows={fieldStyle(f).rows}
                value={values[f] ?? ''}
                onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                style={{ fontFamily: fieldStyle(f).prose ? 'inherit' : 'monospace' }}
              />
              {values[f] !== gold.data.fields[f] && <span className="small muted">was: {gold.data.fields[f]}</span>}
            </label>
          ))}
          <label>
            Category
            <select value={category} onChange={(e) => setCategory(e.target.value as Category)}>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {c.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rationale (required)
            <textarea rows={3} value={rationale} onChange={(e) => setRationale(e.target.value)} required />
          </label>
          <label>
            Evidence (optional: a query result, a link)
            <textarea rows={2} value={evidence} onChange={(e) => setEvidence(e.target.value)} />
          </label>
          {propose.error && (
            <p className="notice error" role="alert">
              {errorMessage(propose.error)}
            </p>
          )}
          <div>
            <button
              type="submit"
              disabled={propose.isPending || Object.keys(changed).length === 0 || !rationale.trim()}
            >
              {propose.isPending ? 'Checking and proposing…' : 'Propose'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
