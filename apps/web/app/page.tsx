export const dynamic = 'force-dynamic';

export default function Home() {
  return (
    <main>
      <h1>Trueboard</h1>
      <p>
        Standardized evaluations of text-to-SQL systems, re-rankers and LoRA-variant adapters, against versioned
        benchmark data whose gold annotations are corrected in the open.
      </p>
      <p>
        The leaderboard pages are on their way. Meanwhile: <a href="/api/health">platform health</a>, and the API at{' '}
        <code>/api/trpc</code>.
      </p>
    </main>
  );
}
