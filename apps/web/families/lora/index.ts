import { plainView } from '../plain-view';

/**
 * LoRA-variant adapters: the method's learning rate is a board column of this family alone.
 * The columns its family module declares (trainable parameters, …) come on each row's `extra`;
 * a module column keyed `learning-rate` is rendered by this one.
 */
export const loraView = plainView('LoRA-variant adapters', [
  {
    key: 'learning-rate',
    header: 'Learning rate',
    className: 'num hide-sm',
    cell: (r) => (r.learningRate === null ? '—' : r.learningRate.toExponential(1)),
  },
]);
