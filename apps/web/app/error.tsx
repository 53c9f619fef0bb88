'use client';
import Link from 'next/link';

/** Anything a page did not expect: a friendly page with the id the server logged the error under. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>Something went wrong</h1>
      <p className="lead">
        The page could not be shown. Try again; if it keeps failing, report it with the request id below.
      </p>
      <p>
        Request id: <code data-testid="request-id">{error.digest ?? 'unavailable'}</code>
      </p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <Link href="/">Back to the benchmarks</Link>
      </p>
    </>
  );
}
