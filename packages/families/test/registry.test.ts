import { Family, isInstalled } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { families, installedFamilies } from '../src/index';

describe('the family registry', () => {
  it('has one entry per family, under its own name; pending ones say what they wait for', () => {
    expect(Object.keys(families).sort()).toEqual([...Family.options].sort());
    for (const [name, entry] of Object.entries(families)) {
      expect(entry.family).toBe(name);
      if (!isInstalled(entry)) expect(entry.pending.length).toBeGreaterThan(10);
    }
    expect(installedFamilies().length).toBeGreaterThan(0);
  });

  for (const m of installedFamilies()) {
    it(`${m.family}: its evaluator is of its family, and its facets and summary are fields of its rows`, async () => {
      expect((await m.evaluator()).family).toBe(m.family);
      const { schema, facets, summary } = m.rows;
      expect(schema).toBeInstanceOf(z.ZodObject);
      const fields = Object.keys((schema as z.ZodObject).shape);
      expect([...facets.map((f) => f.field), ...summary].filter((f) => !fields.includes(f))).toEqual([]);
      expect(m.artifact.maxBytes).toBeGreaterThan(0);
      for (const ext of m.artifact.extensions) expect(ext).toMatch(/^\.[a-z0-9.]+$/);
    });
  }
});
