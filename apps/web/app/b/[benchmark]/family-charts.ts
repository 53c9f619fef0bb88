import type { Leaderboard } from '@trueboard/api';
import type { ComponentType } from 'react';

/**
 * Per-family chart slot under the leaderboard: each family adds its own client chart components
 * here (Pareto plot of score vs trainable parameters, learning-rate sensitivity, …).
 */
export const familyCharts: Record<string, ComponentType<{ board: Leaderboard }>[]> = {
  text2sql: [],
  rerank: [],
  lora: [],
};
