import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep, backoffDelay, raceAbort } from '../src/backoff';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, scaled by a jitter factor in [0.5, 1]', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, 100, 1000))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('abortableSleep', () => {
  it('rejects with the reason as soon as the signal aborts, or at once when it already has', async () => {
    const ac = new AbortController();
    const reason = new Error('stop');
    const sleeping = abortableSleep(3_600_000, ac.signal);
    ac.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    await expect(abortableSleep(3_600_000, ac.signal)).rejects.toBe(reason);
  });

  it('resolves after the delay when nothing aborts', async () => {
    await expect(abortableSleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});

describe('raceAbort', () => {
  it('settles with the work, or rejects with the reason when the signal wins', async () => {
    const ac = new AbortController();
    await expect(raceAbort(Promise.resolve(7), ac.signal)).resolves.toBe(7);
    const never = new Promise<number>(() => {});
    const racing = raceAbort(never, ac.signal);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(racing).rejects.toBe(reason);
    // the loser's later rejection is expected and must not surface as unhandled
    await expect(raceAbort(Promise.reject(new Error('late')), ac.signal)).rejects.toBe(reason);
  });
});
