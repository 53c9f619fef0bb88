import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from '../src/router';

/*
 * "Bound every string and number in every input schema" (issue 9), checked on the router itself:
 * every procedure's input schema is walked, and a string without a maximum length, a number
 * without both bounds or an array without a maximum length is reported by procedure and path. A
 * new procedure with an unbounded field fails here before it ships.
 */

// inputs the procedure hands to core untyped, where core parses them with bounded schemas
// (`BenchmarkManifest`, `DatasetFile[]` with max 10,000), inside the 1 MiB body cap
const PARSED_IN_CORE = new Set(['benchmarks.register:manifest', 'benchmarks.register:files']);

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string; checks?: ZodLike[] } };
  maxLength?: number | null;
}

function unbounded(procedure: string, schema: ZodLike, path: string): string[] {
  const def = schema._zod.def;
  const here = `${procedure}:${path || '(input)'}`;
  const inner = (key: string, sub = path) => unbounded(procedure, def[key] as ZodLike, sub);
  const checks = (def.checks ?? []).map((c) => c._zod.def as unknown as { check: string; format?: string });
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return inner('innerType');
    case 'pipe':
      return inner('in'); // the input side is what a caller controls
    case 'string':
      return schema.maxLength != null || checks.some((c) => c.format === 'uuid') ? [] : [`${here}: string`];
    case 'number':
      // explicit bounds: `.int()` alone allows ±2^53, which PostgreSQL's int4 columns refuse with a 500
      return checks.some((c) => c.check === 'less_than') && checks.some((c) => c.check === 'greater_than')
        ? []
        : [`${here}: number`];
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'null':
    case 'undefined':
    case 'void':
      return [];
    case 'array':
      return [
        ...(checks.some((c) => c.check === 'max_length') ? [] : [`${here}: array length`]),
        ...inner('element', `${path}[]`),
      ];
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      const out = Object.entries(shape).flatMap(([k, v]) => unbounded(procedure, v, path ? `${path}.${k}` : k));
      if (def.catchall && (def.catchall as ZodLike)._zod.def.type !== 'never')
        out.push(...inner('catchall', `${path}.*`));
      return out;
    }
    case 'record':
      return [...inner('keyType', `${path}{key}`), ...inner('valueType', `${path}{value}`)];
    case 'union':
      return (def.options as ZodLike[]).flatMap((o) => unbounded(procedure, o, path));
    default:
      return PARSED_IN_CORE.has(here) ? [] : [`${here}: ${def.type}`];
  }
}

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: ZodLike[] } }>;

describe('input schemas', () => {
  it('bound every string, number and array of every procedure', () => {
    expect(Object.keys(procedures).length).toBeGreaterThan(30);
    const problems = Object.entries(procedures).flatMap(([name, p]) =>
      p._def.inputs.flatMap((schema) => unbounded(name, schema, '')),
    );
    expect(problems).toEqual([]);
  });

  it('the walker itself reports what it should', () => {
    const loose = z.object({ a: z.string(), b: z.number().int(), c: z.array(z.string().max(1)) });
    const found = unbounded('t', loose as unknown as ZodLike, '');
    expect(found).toEqual(['t:a: string', 't:b: number', 't:c: array length']);
  });
});
