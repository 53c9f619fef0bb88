'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { errorMessage, trpc } from '../../../lib/trpc';

/** Cancel (submitter or team maintainers, while live) and rerun (also benchmark maintainers, once ended). */
export function Actions({
  id,
  state,
  permissions,
}: {
  id: string;
  state: string;
  permissions: { cancel: boolean; rerun: boolean };
}) {
  const router = useRouter();
  const qc = useQueryClient();
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['submission', id] });
    router.refresh();
  };
  const cancel = useMutation({ mutationFn: () => trpc.submissions.cancel.mutate({ id }), onSuccess: done });
  const rerun = useMutation({ mutationFn: () => trpc.submissions.rerun.mutate({ id }), onSuccess: done });
  const live = state === 'queued' || state === 'running' || state === 'submitted';
  const error = cancel.error ?? rerun.error;
  if (!permissions.cancel && !permissions.rerun) return null;
  return (
    <p>
      {permissions.cancel && live && (
        <button type="button" className="danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
          {cancel.isPending ? 'Cancelling…' : 'Cancel submission'}
        </button>
      )}{' '}
      {permissions.rerun && !live && (
        <button type="button" className="secondary" disabled={rerun.isPending} onClick={() => rerun.mutate()}>
          {rerun.isPending ? 'Queuing…' : 'Rerun evaluation'}
        </button>
      )}
      {error && (
        <span className="field-error" role="alert">
          {' '}
          {errorMessage(error)}
        </span>
      )}
    </p>
  );
}
