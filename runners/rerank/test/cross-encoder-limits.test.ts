import { fileURLToPath } from 'node:url';
import { SubmissionError } from '@trueboard/contracts';
import { killParentMidWork, processAlive } from '@trueboard/testkit';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src/cross-encoder';
import { modelDirs } from './cross-encoder-fixture';

/*
 * A submitted model runs in an ONNX worker process of its own (the kit's onnx-worker-process.ts):
 * session.run blocks the thread it runs on for a whole batch, so in the runner it would stop its
 * heartbeats and cancels, and a graph that never ends, or that asks for all the memory there is, would
 * hold or kill the runner. The hostile graphs here are real ONNX models (build-test-model.ts): a Loop
 * of 2^62 iterations and a tensor of 256 MiB per token, both computed from the input.
 */

const HOLD = fileURLToPath(new URL('./hold-endless-batch.ts', import.meta.url));
const cpu = { device: 'cpu' as const, deviceRequest: 'auto' as const };
const newModel = await modelDirs();
const endless = await newModel({ hostile: 'endless' });
const memoryHog = await newModel({ hostile: 'memoryHog' });
const pairs = [
  { query: 'vitamin d deficiency', passage: 'Rickets in children follows vitamin D deficiency.' },
  { query: 'vitamin d deficiency', passage: 'Bone loss.' },
];

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('a submitted model in its ONNX worker', () => {
  it('is stopped past the per-batch limit, while the event loop goes on; the failure is the submission’s', async () => {
    const ce = await CrossEncoder.open(endless, cpu, { batchTimeoutMs: 1500 });
    const pid = ce.workerPid;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    try {
      const error = await failure(ce.score(pairs));
      expect(error).toBeInstanceOf(SubmissionError);
      expect((error as Error).message).toMatch(
        /^the model did not finish a batch of 2 pairs × \d+ tokens: it ran longer than 1\.5 s, the limit per batch; the ONNX worker running it was killed \(TRUEBOARD_ONNX_BATCH_TIMEOUT_S on the runner sets the limit\)$/,
      );
      // in-process, session.run held the thread: not one tick in the whole batch
      expect(ticks).toBeGreaterThanOrEqual(5);
      await ce.release();
      expect(processAlive(pid)).toBe(false);
    } finally {
      clearInterval(timer);
      await ce.release();
    }
  });

  it('stops a running batch as soon as the run is cancelled, with the cancel’s reason', async () => {
    const ce = await CrossEncoder.open(endless, cpu, { batchTimeoutMs: 600_000 });
    const pid = ce.workerPid;
    const cancel = new AbortController();
    const reason = new Error('cancelled by the submitter');
    setTimeout(() => cancel.abort(reason), 300);
    try {
      expect(await failure(ce.score(pairs, { signal: cancel.signal }))).toBe(reason);
      await ce.release();
      expect(processAlive(pid)).toBe(false);
    } finally {
      await ce.release();
    }
  });

  it('tells a worker that crashed on the model (the submission’s) from one killed from outside (the runner’s)', async () => {
    const outcome = async (signal: NodeJS.Signals) => {
      const ce = await CrossEncoder.open(endless, cpu, { batchTimeoutMs: 600_000 });
      setTimeout(() => process.kill(ce.workerPid as number, signal), 300);
      try {
        return (await failure(ce.score(pairs))) as Error;
      } finally {
        await ce.release();
      }
    };
    const crashed = await outcome('SIGSEGV');
    expect(crashed).toBeInstanceOf(SubmissionError);
    expect(crashed.message).toMatch(
      /^the model failed on a batch of 2 pairs × \d+ tokens: ONNX Runtime crashed on it: the ONNX worker exited \(SIGSEGV\)/,
    );
    const killed = await outcome('SIGKILL');
    expect(killed).not.toBeInstanceOf(SubmissionError);
    expect(killed.message).toMatch(/^the ONNX worker exited \(SIGKILL\)/);
  });

  it('ends by itself when the runner holding it is killed mid-batch (kill -9 leaves no spinning worker)', async () => {
    // the batch is running (the worker spins in session.run) when the stand-in runner is killed
    await killParentMidWork(HOLD, [endless], 'ONNX worker');
  });

  it('fails as the submission when the graph needs more memory than the worker may have, naming the limit', async () => {
    const ce = await CrossEncoder.open(memoryHog, cpu, { memoryMb: 512 });
    try {
      const error = await failure(ce.score(pairs));
      expect(error).toBeInstanceOf(SubmissionError);
      expect((error as Error).message).toMatch(
        /^the model failed on a batch of 2 pairs × \d+ tokens: it needs more memory than the ONNX worker's limit of 512 MiB \(.+; TRUEBOARD_ONNX_MEMORY_MB on the runner sets the limit\)$/,
      );
    } finally {
      await ce.release();
    }
  });

  it('scores like the plain model when the hostile part is given room and time (it only adds 0)', async () => {
    const plain = await CrossEncoder.open(await newModel(), cpu);
    const hog = await CrossEncoder.open(memoryHog, cpu, { memoryMb: 16_384 });
    try {
      const small = [{ query: 'd', passage: 'a' }];
      const [a, b] = [await plain.score(small), await hog.score(small)];
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    } finally {
      await plain.release();
      await hog.release();
    }
  });
});
