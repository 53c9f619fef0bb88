import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatasetBundle, EvaluationReport, Evaluator, RunContext, SessionProvenance } from '@trueboard/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUNNER_VERSION, runLocal } from '../src/index';

/*
 * runLocal fills the report's provenance itself after the evaluator returns: the generic fields are
 * the harness's to state, and an evaluator adds only what is its own (the ONNX sessions it ran).
 */

let root: string;
let bundle: DatasetBundle;
let artifactPath: string;
const DATASET = 'd'.repeat(64);
const ARTIFACT = 'a'.repeat(64);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'kit-provenance-'));
  artifactPath = path.join(root, 'predictions.json');
  await writeFile(artifactPath, '{}');
  bundle = { ref: { benchmark: 'tiny', version: 1, contentHash: DATASET, files: [], evaluator: {} }, root };
});
afterEach(() => rm(root, { recursive: true, force: true }));

const cpuSession: SessionProvenance = {
  runtime: 'onnxruntime-node 1.30.0',
  provider: 'cpu',
  fallback: 'no CUDA provider',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  label: 'cross-encoder',
};

/** An evaluator whose report carries exactly the provenance given (cast: the harness must cope). */
function evaluatorReturning(provenance: Record<string, unknown>, contexts: RunContext[] = []): Evaluator {
  return {
    family: 'rerank',
    name: 'provenance-probe',
    version: '3.1.4',
    async prepare() {
      return null;
    },
    async evaluate(_p, _a, ctx) {
      contexts.push(ctx);
      return {
        family: 'rerank',
        metrics: [{ name: 'ndcg@10', semantics: 'default', value: 50, ci: null, n: 1 }],
        examples: [{ id: 'q1', verdict: 0.5, data: {} }],
        unscorable: 0,
        breakdowns: [],
        provenance,
      } as unknown as EvaluationReport;
    },
  };
}

const run = (evaluator: Evaluator, device: 'cpu' | 'cuda' = 'cpu') =>
  runLocal({
    evaluator,
    bundle,
    artifact: { sha256: ARTIFACT, path: artifactPath, mediaType: 'application/json', kind: 'file' },
    seed: 7,
    device,
    deviceRequest: 'auto',
    hostname: 'box-1',
    hardware: 'a test machine',
  });

describe('runLocal provenance', () => {
  it('fills every generic field when the evaluator states none', async () => {
    const before = Date.now();
    const contexts: RunContext[] = [];
    const report = await run(evaluatorReturning({}, contexts));
    const after = Date.now();
    expect(report.provenance).toEqual({
      evaluator: 'provenance-probe',
      evaluatorVersion: '3.1.4',
      runnerVersion: RUNNER_VERSION,
      hostname: 'box-1',
      hardware: 'a test machine',
      device: 'cpu',
      seed: 7,
      datasetHash: DATASET,
      artifactHash: ARTIFACT,
      startedAt: expect.any(String),
      wallTimeMs: expect.any(Number),
    });
    // taken when evaluate was called: within the call to runLocal
    const started = Date.parse(report.provenance.startedAt);
    expect(started).toBeGreaterThanOrEqual(before);
    expect(started).toBeLessThanOrEqual(after);
    expect(report.provenance.wallTimeMs).toBeGreaterThanOrEqual(0);
    expect(contexts[0]?.deviceRequest).toBe('auto');
  });

  it('replaces what the evaluator got wrong and keeps what is its own', async () => {
    const report = await run(
      evaluatorReturning({
        evaluator: 'someone-else',
        evaluatorVersion: '0.0.1',
        runnerVersion: '9.9.9',
        hostname: 'elsewhere',
        device: 'cuda',
        seed: 99,
        startedAt: '1999-12-31T23:59:59.000Z',
        wallTimeMs: 123_456_789,
        sessions: [cpuSession],
      }),
    );
    expect(report.provenance).toMatchObject({
      evaluator: 'provenance-probe',
      evaluatorVersion: '3.1.4',
      runnerVersion: RUNNER_VERSION,
      hostname: 'box-1',
      device: 'cpu',
      seed: 7,
      sessions: [cpuSession],
    });
    expect(report.provenance.startedAt).not.toBe('1999-12-31T23:59:59.000Z');
    expect(report.provenance.wallTimeMs).not.toBe(123_456_789);
  });

  it('says cpu for a cuda run whose every ONNX session fell back to the CPU', async () => {
    expect((await run(evaluatorReturning({ sessions: [cpuSession] }), 'cuda')).provenance.device).toBe('cpu');
    const onCuda = { ...cpuSession, provider: 'cuda', fallback: undefined };
    const mixed = await run(evaluatorReturning({ sessions: [cpuSession, onCuda] }), 'cuda');
    expect(mixed.provenance.device).toBe('cuda');
    expect((await run(evaluatorReturning({}), 'cuda')).provenance.device).toBe('cuda');
  });
});
