import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactFile, DatasetBundle, EvaluationReport, Evaluator, SessionProvenance } from '@trueboard/contracts';
import { createApiToken } from '@trueboard/core';
import { resultMetrics } from '@trueboard/db';
import { goodPredictions, toyEvaluator } from '@trueboard/testkit';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EntryKey, Runner } from '../src/index';
import { tarGz, zip } from './archives';
import { sha256, uploadBlob } from './blob-store';
import { type Live, livePlatform, startedJob } from './live-platform';
import { probeEvaluator } from './probe-evaluator';

/*
 * Jobs of a family whose artifact is a directory, end to end on the real platform: the submission is
 * an archive, the runner unpacks it, the harness fills the provenance, a hostile archive fails as the
 * submitter's error, the benchmark's assets reach the evaluator through the runner's own token, and
 * the cache evicts nothing a running job uses.
 */

let live: Live;
beforeAll(async () => {
  live = await livePlatform();
});
afterEach(() => live.reset());
afterAll(() => live?.close());

type Gold = Awaited<ReturnType<typeof toyEvaluator.prepare>>;

const session: SessionProvenance = {
  runtime: 'onnxruntime-node 1.30.0',
  provider: 'cpu',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
};

/** The toy evaluator taking a directory: the predictions are `predictions.json` inside it. */
function directoryEvaluator(seen: { artifacts: ArtifactFile[]; bundles: DatasetBundle[] }): Evaluator<Gold> {
  return {
    family: 'text2sql',
    name: 'toy-directory',
    version: '2.0.0',
    artifact: { kind: 'directory', maxUnpackedBytes: 1024 ** 2, maxEntries: 20 },
    async prepare(bundle) {
      seen.bundles.push(bundle);
      return toyEvaluator.prepare(bundle);
    },
    async evaluate(gold, artifact, ctx) {
      seen.artifacts.push(artifact);
      const report = await toyEvaluator.evaluate(
        gold,
        { ...artifact, path: path.join(artifact.path, 'predictions.json') },
        ctx,
      );
      // only what is its own: the harness states the rest
      return { ...report, provenance: { sessions: [session] } } as unknown as EvaluationReport;
    },
  };
}

const predictionsTarGz = () => tarGz([{ path: 'predictions.json', body: Buffer.from(goodPredictions()) }]);

describe('a job whose artifact is a directory', () => {
  it('runs the evaluator on the unpacked directory, and the harness fills the provenance', async () => {
    const id = await live.submit(predictionsTarGz());
    const seen = { artifacts: [] as ArtifactFile[], bundles: [] as DatasetBundle[] };
    const { runner, events } = await live.runner(directoryEvaluator(seen), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    expect(events.outcomes()).toEqual(['completed']);
    expect(seen.artifacts).toEqual([
      {
        sha256: job.artifact.sha256,
        mediaType: job.artifact.mediaType,
        kind: 'directory',
        path: path.join(runner.cache.dir, 'trees', job.artifact.sha256),
      },
    ]);
    const [result] = await live.results(id);
    if (!result) throw new Error('no result');
    expect(result.provenance).toMatchObject({
      evaluator: 'toy-directory',
      evaluatorVersion: '2.0.0',
      hostname: 'test-box',
      device: 'cpu',
      seed: job.seed,
      datasetHash: job.dataset.contentHash,
      artifactHash: job.artifact.sha256,
      sessions: [session],
    });
    const metrics = await live.p.db.select().from(resultMetrics).where(eq(resultMetrics.resultId, result.id));
    expect(metrics.map((m) => [m.name, m.value])).toEqual([['accuracy', 80]]);
  });

  it('fails a hostile archive as the submitter’s error, naming the entry', async () => {
    await live.submit(zip([{ name: '../predictions.json', body: Buffer.from(goodPredictions()) }]));
    const seen = { artifacts: [] as ArtifactFile[], bundles: [] as DatasetBundle[] };
    const { runner, events } = await live.runner(directoryEvaluator(seen), { once: 1 });
    await runner.start();
    const job = await startedJob(events);
    expect(await live.run(job.runId)).toMatchObject({
      state: 'failed',
      failureCategory: 'user_error',
      failureMessage:
        'the artifact has an entry "../predictions.json" that points outside the directory (its path contains "..")',
    });
    expect(seen.artifacts).toEqual([]);
    expect(await live.results(job.submissionId)).toEqual([]);
  });
});

describe('a benchmark with assets', () => {
  it('hands the evaluator its assets, fetched with the runner token', async () => {
    const admin = (await createApiToken(live.p, live.cast.admin.actor, { name: 'assets' })).secret;
    const lexicon = 'madrid\nbarcelona\n';
    const assets = { lexicon: { sha256: await uploadBlob(live, admin, lexicon), bytes: lexicon.length, kind: 'file' } };
    await live.p.db.execute(
      sql`update benchmarks set manifest = jsonb_set(manifest, '{assets}', ${JSON.stringify(assets)}::jsonb) where id = 'toy-qa'`,
    );
    try {
      await live.submit(predictionsTarGz());
      const seen = { artifacts: [] as ArtifactFile[], bundles: [] as DatasetBundle[] };
      const { runner, events } = await live.runner(directoryEvaluator(seen), { once: 1 });
      await runner.start();
      expect(events.outcomes()).toEqual(['completed']);
      const got = seen.bundles[0]?.assets?.lexicon;
      expect(got).toEqual({ sha256: sha256(lexicon), kind: 'file', path: runner.cache.blobPath(sha256(lexicon)) });
      expect(await readFile(got?.path ?? '', 'utf8')).toBe(lexicon);
    } finally {
      await live.p.db.execute(sql`update benchmarks set manifest = manifest - 'assets' where id = 'toy-qa'`);
    }
  });

  it('prepares the dataset again when the assets change under the same version', async () => {
    const admin = (await createApiToken(live.p, live.cast.admin.actor, { name: 'assets 2' })).secret;
    const lexicon = 'a newer lexicon\n';
    const assets = { lexicon: { sha256: await uploadBlob(live, admin, lexicon), bytes: lexicon.length, kind: 'file' } };
    await live.submit();
    await live.submit();
    let first = true;
    const probe = probeEvaluator({
      // between the two jobs, the benchmark gains an asset; its dataset version stays the same
      during: async () => {
        if (!first) return;
        first = false;
        await live.p.db.execute(
          sql`update benchmarks set manifest = jsonb_set(manifest, '{assets}', ${JSON.stringify(assets)}::jsonb) where id = 'toy-qa'`,
        );
      },
    });
    try {
      const { runner, events } = await live.runner(probe, { once: 2 });
      await runner.start();
      expect(events.outcomes()).toEqual(['completed', 'completed']);
      expect(probe.prepareCalls).toBe(2);
    } finally {
      await live.p.db.execute(sql`update benchmarks set manifest = manifest - 'assets' where id = 'toy-qa'`);
    }
  });
});

describe('the cache bound while a job runs', () => {
  it('evicts nothing the job uses until it ends', async () => {
    await live.submit();
    let runner: Runner | undefined;
    let duringJob: EntryKey[] = [];
    const probe = probeEvaluator({
      during: async () => {
        duringJob = (await runner?.cache.evict()) ?? [];
      },
    });
    const started = await live.runner(probe, { once: 1, cacheMaxBytes: 1 });
    runner = started.runner;
    await runner.start();
    const job = await startedJob(started.events);
    expect(started.events.outcomes()).toEqual(['completed']);
    const bundle = runner.cache.bundlePath(job.dataset.contentHash);
    const artifact = runner.cache.blobPath(job.artifact.sha256);
    // over a 1-byte bound everything unpinned goes: the job's bundle and artifact stayed
    expect(duringJob).not.toContain(`bundle/${job.dataset.contentHash}`);
    expect(duringJob).not.toContain(`blob/${job.artifact.sha256}`);
    // the operator's --device reaches the evaluator, for the ONNX session helper
    expect(probe.contexts.map((c) => c.deviceRequest)).toEqual(['cpu']);
    expect([existsSync(bundle), existsSync(artifact)]).toEqual([true, true]);
    expect((await runner.cache.evict()).sort()).toEqual([
      `blob/${job.artifact.sha256}`,
      `bundle/${job.dataset.contentHash}`,
    ]);
    expect([existsSync(bundle), existsSync(artifact)]).toEqual([false, false]);
  });
});
