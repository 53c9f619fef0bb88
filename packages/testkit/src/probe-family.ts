import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Evaluator,
  type EvaluatorReport,
  type FamilyModule,
  type FamilyRegistry,
  SubmissionError,
} from '@trueboard/contracts';
import { families } from '@trueboard/families';
import { z } from 'zod';
import { accuracyReport } from './accuracy-report';

/** The probe benchmark: four examples, and a benchmark asset (`offsets.json`) declared in its manifest. */
export const LORA_PROBE_DIR = fileURLToPath(new URL('../fixtures/lora-probe', import.meta.url));

/** The file of the adapter directory the probe reads. */
export const PROBE_WEIGHTS = 'adapter/weights.json';

interface ProbeExample {
  id: string;
  layer: string;
  expected: number;
}

interface Prepared {
  examples: ProbeExample[];
  offsets: Record<string, number>;
}

const ProbeRow = z.object({ layer: z.string(), weight: z.number().nullable(), sum: z.number().nullable() });

/**
 * A test-only evaluator posing as the LoRA family, which has no runner yet: the artifact is a
 * directory (uploaded as a .tar, .tar.gz or .zip) holding `adapter/weights.json`, a number per
 * example id; the benchmark's asset `offsets.json` holds another. An example is right when the two
 * add up to its `expected`, so a score proves that both the unpacked directory and the asset
 * reached the evaluator intact. It states no provenance: the harness does.
 */
export const loraProbeEvaluator: Evaluator<Prepared> = {
  family: 'lora',
  name: 'lora-probe',
  version: '0.1.0',
  devices: ['cpu'],
  artifact: { kind: 'directory', maxUnpackedBytes: 1024 ** 2, maxEntries: 20 },
  async prepare(bundle) {
    const { examples } = JSON.parse(await readFile(join(bundle.root, 'examples.json'), 'utf8')) as {
      examples: ProbeExample[];
    };
    const asset = bundle.assets?.['offsets.json'];
    if (!asset) throw new Error('lora-probe: the benchmark asset "offsets.json" was not handed over');
    const offsets = JSON.parse(await readFile(asset.path, 'utf8')) as Record<string, number>;
    return { examples, offsets };
  },
  async evaluate(p, artifact, ctx): Promise<EvaluatorReport> {
    if (artifact.kind !== 'directory') throw new Error(`lora-probe: got a ${artifact.kind ?? 'file'}, not a directory`);
    let weights: Record<string, unknown>;
    try {
      weights = JSON.parse(await readFile(join(artifact.path, PROBE_WEIGHTS), 'utf8'));
    } catch (err) {
      throw new SubmissionError(
        `the adapter directory has no readable ${PROBE_WEIGHTS}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const examples = p.examples.map((ex) => {
      const w = weights[ex.id];
      const weight = typeof w === 'number' ? w : null;
      const sum = weight === null ? null : weight + (p.offsets[ex.id] ?? 0);
      return {
        id: ex.id,
        verdict: sum === ex.expected ? 1 : 0,
        ...(weight === null ? { reason: 'no weight for this example' } : {}),
        data: { layer: ex.layer, weight, sum },
      };
    });
    ctx.progress(1, `${examples.length}/${examples.length} examples`);
    return accuracyReport('lora', 'sum', examples);
  },
};

/** The probe as the LoRA family's module: a directory artifact, a facet, the learning-rate column. */
export const loraProbeFamily: FamilyModule<'lora'> = {
  family: 'lora',
  evaluator: async () => loraProbeEvaluator,
  artifact: { kind: 'directory', extensions: ['.tar', '.tar.gz', '.tgz', '.zip'], maxBytes: 1024 ** 2 },
  annotations: [],
  rows: {
    schema: ProbeRow,
    facets: [{ field: 'layer', label: 'Layer' }],
    summary: ['layer', 'sum'],
    triage: () => ({}),
  },
  primary: { metric: 'accuracy', semantics: () => 'sum' },
  columns: [{ key: 'learning-rate', label: 'Learning rate', hyperparameter: 'learningRate' }],
};

/** Every family's module as the platform's registry has it, with the probe standing in for LoRA. */
export const probeFamilies: FamilyRegistry = { ...families, lora: loraProbeFamily };

/** An adapter directory's files (for `archives` or a directory on disk) that score `correct` of the four. */
export function probeAdapter(correct: 0 | 1 | 2 | 3 | 4 = 3): { path: string; body: string }[] {
  // the weights that add up with offsets.json to each expected sum; the rest are off by one
  const right: Record<string, number> = { e1: 6, e2: 7, e3: 6, e4: 10 };
  const weights = Object.fromEntries(Object.entries(right).map(([id, w], i) => [id, i < correct ? w : w + 1]));
  return [{ path: PROBE_WEIGHTS, body: JSON.stringify(weights) }];
}
