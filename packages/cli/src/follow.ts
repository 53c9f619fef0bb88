import type { trpcClient } from './http';
import { fail, progressBar, table } from './output';

type Client = ReturnType<typeof trpcClient>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a submission's evaluation (`submit --wait`, `rerun --wait`) with a progress bar until it
 * settles, then prints its metrics; exits non-zero when it failed or was cancelled.
 */
export async function followSubmission(client: Client, id: string): Promise<void> {
  const bar = progressBar('evaluating', 100);
  for (;;) {
    const s = await client.submissions.get.query({ id });
    const run = s.runs.at(-1);
    bar.update(
      Math.round(100 * (run?.progress ?? 0)),
      s.state === 'queued' ? `queued (#${s.queuePosition ?? '?'})` : (run?.progressMessage ?? s.state),
    );
    if (s.state === 'finished' || s.state === 'failed' || s.state === 'cancelled') {
      bar.stop();
      if (s.state !== 'finished')
        fail(`submission ${s.state}${s.failureCategory ? ` (${s.failureCategory})` : ''}: ${s.failureMessage ?? ''}`);
      const r = await client.submissions.result.query({ id });
      process.stderr.write(
        `${table(
          (r?.metrics ?? []).map((m) => ({
            metric: m.name,
            semantics: m.semantics,
            value: m.value.toFixed(2),
            ci95: m.ciLow !== null && m.ciHigh !== null ? `[${m.ciLow.toFixed(2)}, ${m.ciHigh.toFixed(2)}]` : '',
            n: m.n,
          })),
        )}\n`,
      );
      return;
    }
    await sleep(1000);
  }
}
