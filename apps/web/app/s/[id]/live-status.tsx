'use client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { fmtDuration, fmtTime } from '../../../lib/format';
import { trpc } from '../../../lib/trpc';

type Submission = Awaited<ReturnType<typeof trpc.submissions.get.query>>;
type Log = { id: number; level: string; message: string; createdAt: string | Date };

const LIVE = new Set(['submitted', 'queued', 'running']);
const STEPS = [
  ['submitted', 'submittedAt'],
  ['queued', 'queuedAt'],
  ['running', 'startedAt'],
] as const;

/**
 * The state timeline, queue position, progress and log lines of a submission, polled every 1.5 s
 * while it is live; when it ends the page re-renders on the server to show the results.
 */
export function LiveStatus({ id, initial }: { id: string; initial: Submission }) {
  const router = useRouter();
  const { data } = useQuery({
    queryKey: ['submission', id],
    queryFn: () => trpc.submissions.get.query({ id }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && LIVE.has(q.state.data.state) ? 1500 : false),
  });
  const s = data ?? initial;
  const run = s.runs.at(-1);
  const [logs, setLogs] = useState<Log[]>([]);
  const lastLog = useRef(0);
  const wasLive = useRef(LIVE.has(initial.state));

  useEffect(() => {
    if (!run) return;
    let stop = false;
    const poll = async () => {
      try {
        const more = await trpc.submissions.logs.query({ runId: run.id, submissionId: id, afterId: lastLog.current });
        if (stop || more.length === 0) return;
        lastLog.current = more.at(-1)?.id ?? lastLog.current;
        setLogs((l) => [...l, ...more].slice(-500));
      } catch {
        // a failed poll is retried on the next tick
      }
    };
    void poll();
    const t = LIVE.has(s.state) ? setInterval(poll, 1500) : undefined;
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [id, run?.id, s.state, run]);

  useEffect(() => {
    if (wasLive.current && !LIVE.has(s.state)) router.refresh();
    wasLive.current = LIVE.has(s.state);
  }, [s.state, router]);

  const end =
    s.state === 'finished'
      ? (['finished', s.finishedAt] as const)
      : s.state === 'failed'
        ? (['failed', s.failedAt] as const)
        : s.state === 'cancelled'
          ? (['cancelled', s.cancelledAt] as const)
          : null;
  const waiting = s.queuedAt ? (Date.now() - new Date(s.queuedAt).getTime()) / 1000 : 0;

  return (
    <section aria-labelledby="status-title" aria-live="polite">
      <h2 id="status-title">
        Status:{' '}
        <span className={`state state-${s.state}`} data-testid="state">
          {s.state}
        </span>
      </h2>
      <ol className="timeline" aria-label="State timeline">
        {STEPS.map(([name, key]) => (
          <li key={name} className={s[key] ? 'done' : undefined}>
            {name}: {s[key] ? fmtTime(s[key]) : '—'}
          </li>
        ))}
        {end && (
          <li className="done">
            {end[0]}: {fmtTime(end[1])}
          </li>
        )}
      </ol>
      {s.state === 'queued' && s.queuePosition !== null && (
        <p data-testid="queue-position">
          Position {s.queuePosition} in the queue, waiting {fmtDuration(waiting)}.
        </p>
      )}
      {s.state === 'running' && run && (
        <div>
          <progress value={run.progress} max={1} aria-label="Progress" />
          <p className="small">
            {Math.round(run.progress * 100)}% {run.progressMessage}
          </p>
        </div>
      )}
      {s.state === 'failed' && (
        <p className="notice error" role="alert">
          Failed ({s.failureCategory?.replace('_', ' ')}): {s.failureMessage}
        </p>
      )}
      {logs.length > 0 && (
        <details open={LIVE.has(s.state)}>
          <summary>Log ({logs.length} lines)</summary>
          <pre className="logs small">
            {logs.map((l) => `${fmtTime(l.createdAt).slice(11)} ${l.level.padEnd(5)} ${l.message}`).join('\n')}
          </pre>
        </details>
      )}
    </section>
  );
}
