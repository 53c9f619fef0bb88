import { describe, expect, it } from 'vitest';
import { describeHyperparameters, parseHyperparameters } from '../lib/hyperparameters';

describe('the hyperparameters a method is created with, as typed in the submit form', () => {
  it('reads name=value pairs separated by commas or lines, with numbers and booleans typed', () => {
    expect(parseHyperparameters('learningRate=3e-4, rank = 8\noptimizer=adamw\nbias=false')).toEqual({
      ok: true,
      value: { learningRate: 0.0003, rank: 8, optimizer: 'adamw', bias: false },
    });
    expect(parseHyperparameters('  ')).toEqual({ ok: true, value: {} });
  });

  it('names what is wrong', () => {
    expect(parseHyperparameters('rank')).toEqual({ ok: false, error: '"rank" needs a value: write name=value' });
    expect(parseHyperparameters('rank=')).toEqual({ ok: false, error: 'rank has no value' });
    expect(parseHyperparameters('rank=8, rank=16')).toEqual({ ok: false, error: 'rank is given twice' });
    expect(parseHyperparameters('9lives=1')).toEqual({
      ok: false,
      error: '"9lives" is not a hyperparameter name (letters, digits, _ . -; a letter first)',
    });
    expect(parseHyperparameters(Array.from({ length: 101 }, (_, i) => `p${i}=1`).join(','))).toEqual({
      ok: false,
      error: 'at most 100 hyperparameters',
    });
  });

  it('describes them in one line, skipping empty values', () => {
    expect(describeHyperparameters({ learningRate: 0.0003, rank: 8, note: '', x: null })).toBe(
      'learningRate 0.0003 · rank 8',
    );
  });
});
