import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { wire } from '../../lib/format';
import { api, me } from '../../lib/server-api';
import { SubmitForm } from './submit-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Submit' };

export default async function SubmitPage({ searchParams }: { searchParams: Promise<{ benchmark?: string }> }) {
  if (!(await me())) redirect('/signin?next=/submit');
  const benchmarks = await (await api()).benchmarks.list();
  const { benchmark } = await searchParams;
  return (
    <>
      <h1>Submit</h1>
      <p className="lead">
        Choose a benchmark and a method of one of your teams, then upload the artifact (for text-to-SQL: predictions as
        Trueboard JSON keyed by example id, BIRD JSON, or one SQL per line). The evaluation starts as soon as a runner
        is free; you land on the submission page to follow it.
      </p>
      <SubmitForm benchmarks={wire(benchmarks)} initialBenchmark={benchmark} />
    </>
  );
}
