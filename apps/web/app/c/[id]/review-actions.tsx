'use client';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage, trpc } from '../../../lib/trpc';

/**
 * Approve / reject (reviewers; never the proposer) and withdraw (the proposer). The server decides;
 * a proposal a runner found invalid cannot be approved, so that button is off for it.
 */
export function ReviewActions({
  id,
  state,
  isProposer,
  invalid,
}: {
  id: string;
  state: string;
  isProposer: boolean;
  invalid: boolean;
}) {
  const router = useRouter();
  const [comment, setComment] = useState('');
  const review = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => trpc.corrections.review.mutate({ id, decision, comment }),
    onSuccess: () => router.refresh(),
  });
  const withdraw = useMutation({
    mutationFn: () => trpc.corrections.withdraw.mutate({ id }),
    onSuccess: () => router.refresh(),
  });
  const error = review.error ?? withdraw.error;
  if (state !== 'proposed' && state !== 'approved') return null;
  return (
    <section aria-labelledby="review-title">
      <h2 id="review-title">Review</h2>
      {state === 'proposed' && !isProposer && (
        <form
          onSubmit={(e) => e.preventDefault()}
          style={{ display: 'grid', gap: '0.6rem', maxWidth: 640 }}
          aria-label="Review this correction"
        >
          <label>
            Comment
            <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <p>
            <button
              type="button"
              onClick={() => review.mutate('approve')}
              disabled={review.isPending || invalid}
              title={invalid ? 'its new gold is invalid: it cannot be approved' : undefined}
            >
              Approve
            </button>{' '}
            <button
              type="button"
              className="danger"
              onClick={() => review.mutate('reject')}
              disabled={review.isPending}
            >
              Reject
            </button>
          </p>
        </form>
      )}
      {isProposer && (
        <p>
          <span className="muted small">You proposed this correction, so someone else reviews it. </span>
          <button type="button" className="secondary" onClick={() => withdraw.mutate()} disabled={withdraw.isPending}>
            Withdraw
          </button>
        </p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {errorMessage(error)}
        </p>
      )}
    </section>
  );
}
