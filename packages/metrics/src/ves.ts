// R-VES, BIRD mini-dev `evaluation_ves.py`.

import { mean } from './sample-stats';

/**
 * Reward of one example: 0 if incorrect, else by τ = gold time / predicted time: 1.25 (τ ≥ 2), 1 (1 ≤ τ < 2),
 * 0.75 (0.5 ≤ τ < 1), 0.5 (0.25 ≤ τ < 0.5), 0.25 (τ < 0.25).
 */
export function vesReward(tau: number, correct: boolean): number {
  // The reference also scores τ = 0 as 0 (0 is its "incorrect" sentinel); a correct answer here always earns ≥ 0.25.
  if (!correct) return 0;
  if (Number.isNaN(tau) || tau < 0) throw new RangeError(`time ratio must be a non-negative number, got ${tau}`);
  if (tau >= 2) return 1.25;
  if (tau >= 1) return 1;
  if (tau >= 0.5) return 0.75;
  if (tau >= 0.25) return 0.5;
  return 0.25;
}

/**
 * Keeps the values strictly within 3 population standard deviations of the mean (the reference's
 * `mean - 3σ < x < mean + 3σ` with `np.std`); returns a copy of the input when n < 2 or nothing would be kept.
 */
export function removeOutliers(times: readonly number[]): number[] {
  if (times.length < 2) return [...times];
  const centre = mean(times);
  const sd = Math.sqrt(mean(times.map((x) => (x - centre) ** 2)));
  const kept = times.filter((x) => x < centre + 3 * sd && x > centre - 3 * sd);
  // σ = 0 keeps nothing under strict inequalities: the reference then divides by zero and scores 0.
  return kept.length === 0 ? [...times] : kept;
}

/**
 * τ as the reference computes it: the per-repetition ratios goldTimes[i] / predTimes[i], outliers removed,
 * then averaged (not a ratio of mean times).
 */
export function timeRatio(goldTimes: readonly number[], predTimes: readonly number[]): number {
  if (goldTimes.length === 0 || goldTimes.length !== predTimes.length) {
    throw new RangeError(
      `need one predicted time per gold time, at least one each; got ${goldTimes.length} gold and ${predTimes.length} predicted`,
    );
  }
  for (const t of [...goldTimes, ...predTimes]) {
    if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`execution times must be finite and ≥ 0, got ${t}`);
  }
  const ratios = goldTimes.map((g, i) => g / (predTimes[i] ?? Number.NaN));
  if (ratios.some(Number.isNaN)) throw new RangeError('a repetition has zero gold and zero predicted time');
  return mean(removeOutliers(ratios));
}

/** R-VES in [0, 125]: mean of sqrt(reward) × 100 over examples; 0 for none. */
export function rVesScore(rewards: readonly number[]): number {
  if (rewards.length === 0) return 0;
  return mean(rewards.map(Math.sqrt)) * 100;
}
