import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { familyView } from '../../families';
import { wire } from '../../lib/format';
import { api, me } from '../../lib/server-api';
import { SubmitForm } from './submit-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Submit' };

export default async function SubmitPage({ searchParams }: { searchParams: Promise<{ benchmark?: string }> }) {
  if (!(await me())) redirect('/signin?next=/submit');
  const benchmarks = await (await api()).benchmarks.list();
  const { benchmark } = await searchParams;
  // what each family on offer accepts, e.g. "for text-to-SQL: predictions as …"
  const helps = [...new Set(benchmarks.map((b) => b.family))].flatMap((f) => familyView(f).submit.help ?? []);
  return (
    <>
      <h1>Submit</h1>
      <p className="lead">
        Choose a benchmark and a method of one of your teams, then upload the artifact
        {helps.length > 0 ? ` (${helps.join('; ')})` : ''}. The evaluation starts as soon as a runner is free; you land
        on the submission page to follow it.
      </p>
      <SubmitForm benchmarks={wire(benchmarks)} initialBenchmark={benchmark} />
    </>
  );
}
