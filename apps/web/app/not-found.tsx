import Link from 'next/link';

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p className="lead">
        There is nothing at this address: the benchmark, submission or page may not exist, or it is private.
      </p>
      <p>
        <Link href="/">Back to the benchmarks</Link>
      </p>
    </>
  );
}
