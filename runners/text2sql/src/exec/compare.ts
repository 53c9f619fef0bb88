import { exBird, exSpider, softF1 } from '@trueboard/metrics';
import type { CompareHow, ExecSuccess } from './types';

/**
 * One comparison of a predicted result with a gold result, as a number: 1/0 for the EX verdicts,
 * Soft-F1 in [0, 1]. The same function runs in the SQL worker (results kept there) and in the
 * parent (results it has in full).
 */
export function compareResults(pred: ExecSuccess, gold: ExecSuccess, how: CompareHow): number {
  switch (how) {
    case 'bird':
      return +exBird(pred.rows, gold.rows);
    case 'soft-f1':
      return softF1(pred.rows, gold.rows);
    case 'spider':
      return +exSpider(pred.rows, gold.rows, { orderMatters: false });
    case 'spider-ordered':
      return +exSpider(pred.rows, gold.rows, { orderMatters: true });
  }
}
