import type { PendingFamily } from '@trueboard/contracts';

/**
 * Families the platform knows by name whose runner package has not landed. Each becomes a real
 * `FamilyModule` exported by its `runners/<family>` package; until then the platform has no
 * evaluator, codecs or row schema for it (its benchmarks can be registered, their jobs wait).
 */
export const loraPending: PendingFamily<'lora'> = {
  family: 'lora',
  pending: 'the LoRA-variant runner (ONNX base model plus adapter files; its trainable-parameter column comes with it)',
  // the learning rate is a method hyperparameter, known before the runner lands
  columns: [{ key: 'learning-rate', label: 'Learning rate', hyperparameter: 'learningRate' }],
};
