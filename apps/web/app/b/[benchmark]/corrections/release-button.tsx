'use client';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { errorMessage, trpc } from '../../../../lib/trpc';

/** Maintainers fold the approved corrections into a new version (the server checks the role). */
export function ReleaseButton({ benchmark, approved }: { benchmark: string; approved: number }) {
  const router = useRouter();
  const release = useMutation({
    mutationFn: () => trpc.corrections.release.mutate({ benchmark }),
    onSuccess: (r) => router.push(`/b/${benchmark}/versions/${r.version}`),
  });
  return (
    <p className="notice">
      {approved} approved correction{approved === 1 ? '' : 's'} waiting for a release.{' '}
      <button type="button" onClick={() => release.mutate()} disabled={release.isPending}>
        {release.isPending ? 'Releasing…' : 'Release a new version'}
      </button>
      {release.error && (
        <span className="field-error" role="alert">
          {' '}
          {errorMessage(release.error)}
        </span>
      )}
    </p>
  );
}
