import { plainView } from '../plain-view';

/**
 * LoRA-variant adapters. The family declares its board columns (the method's learning rate, …):
 * their values arrive on each row's `extra` by column key, and this view renders the ones it knows
 * better than as plain text.
 */
export const loraView = plainView('LoRA-variant adapters', [
  {
    key: 'learning-rate',
    header: 'Learning rate',
    className: 'num hide-sm',
    cell: (r) => {
      const lr = r.extra['learning-rate'];
      return typeof lr === 'number' ? lr.toExponential(1) : '—';
    },
  },
]);
