import { writeFile } from 'node:fs/promises';
import { ContentCache, chooseDevice, defaultCacheDir, fetchArtifact, runLocal } from '@trueboard/kit';
import { type Command, Option } from 'commander';
import { exitWhenFlushed } from '../cli-io';
import { loadEvaluators } from '../evaluators';
import { type ServerOptions, trpcClient } from '../http';
import { serverOption, tokenOption } from '../options';
import { errorMessage, fail, progressBar } from '../output';
import { compareResults, type StoredExample } from '../reproduce/compare';
import { recipeBlobSource } from '../reproduce/download';
import { formatComparison } from '../reproduce/report';

type Client = ReturnType<typeof trpcClient>;

/** the largest page `submissions.examples` serves */
const PAGE = 1000;

export function registerReproduceCommand(program: Command) {
  program
    .command('reproduce <submission>')
    .description(
      'evaluate a submission again on this machine (same evaluator, data, options and seed) and compare every ' +
        'example and aggregate with the stored result; exit 0 = identical, 1 = different, 2 = could not check',
    )
    .addOption(
      new Option('--version <n>', 'dataset version (default: the newest the submission has a result on)').argParser(
        (v) => Number.parseInt(v, 10),
      ),
    )
    .addOption(serverOption())
    .addOption(tokenOption('API token: none for public submissions; private ones need a member of its team'))
    .option('--device <device>', 'auto | cpu | cuda', 'auto')
    .option('--cache-dir <dir>', 'artifact and dataset cache (default TRUEBOARD_CACHE_DIR or ~/.cache/trueboard)')
    .option('--out <file>', 'write every difference and the local report as JSON')
    .option('--evaluators <module...>', 'extra modules exporting `evaluators` (development)')
    .action(async (id: string, o) => {
      let code: number;
      try {
        code = await reproduce(id, o);
      } catch (err) {
        fail(errorMessage(err), 2);
      }
      // worker pools and sockets must not keep a finished check alive; a long list of differences
      // must come out whole first
      await exitWhenFlushed(code);
    });
}

interface ReproduceOptions extends ServerOptions {
  version?: number;
  device: 'auto' | 'cpu' | 'cuda';
  cacheDir?: string;
  out?: string;
  evaluators?: string[];
}

async function reproduce(id: string, o: ReproduceOptions): Promise<number> {
  const client = trpcClient(o);
  const recipe = await client.submissions.reproduction.query({ id, version: o.version });
  const { submission: sub, dataset } = recipe;
  const subject = `${sub.method} (${sub.team}) on ${sub.benchmark} v${recipe.version}`;
  process.stderr.write(`reproducing ${sub.id}: ${subject}\n`);

  const stored = await client.submissions.result.query({ id, version: recipe.version });
  if (!stored) throw new Error(`submission ${id} has no result on v${recipe.version}`);
  const rows = await storedRows(client, id, recipe.version, stored.id);

  const evaluator = (await loadEvaluators(o.evaluators ?? [], sub.family))[sub.family];
  if (!evaluator) throw new Error(`no evaluator for ${sub.family} is installed here`);
  const p = stored.provenance;
  if (p.datasetHash !== dataset.contentHash || p.artifactHash !== recipe.artifact.sha256)
    throw new Error(
      `the stored result was computed on dataset ${p.datasetHash} and artifact ${p.artifactHash}, not on` +
        ` ${dataset.contentHash} and ${recipe.artifact.sha256} that the server lists for it`,
    );

  const bytes = recipe.artifact.size + dataset.files.reduce((a, f) => a + f.size, 0);
  const fetchBar = progressBar('downloading (cached files skipped)', bytes);
  let got = 0;
  const cache = new ContentCache(
    recipeBlobSource(o, recipe, (k) => {
      got += k;
      fetchBar.update(got);
    }),
    o.cacheDir ?? defaultCacheDir(),
  );
  const bundle = await cache.materializeBundle(dataset);
  // the same unpacking a runner does: a directory artifact reaches the evaluator as its directory
  const artifact = await fetchArtifact(cache, { ...recipe.artifact, mediaType: 'application/octet-stream' }, evaluator);
  fetchBar.update(bytes);
  fetchBar.stop();

  const device = await chooseDevice(o.device);
  process.stderr.write(
    `${evaluator.name} ${evaluator.version} (stored: ${p.evaluator} ${p.evaluatorVersion}), seed ${p.seed}, ${device.device}\n`,
  );
  const bar = progressBar(evaluator.name, 1000);
  const local = await runLocal({
    evaluator,
    bundle,
    artifact,
    seed: p.seed,
    device: device.device,
    hardware: device.hardware,
    progress: (f, m) => bar.update(Math.round(f * 1000), m ?? ''),
    log: (level, message) => {
      if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
    },
  });
  bar.stop();

  const comparison = compareResults(stored, rows, local, evaluator.timing);
  process.stdout.write(`${formatComparison(comparison, subject, p, local.provenance)}\n`);
  if (o.out) {
    const { differences, timing } = comparison;
    await writeFile(
      o.out,
      `${JSON.stringify({ submission: sub.id, version: recipe.version, identical: differences.length === 0, differences, timing: Object.fromEntries(timing), local }, null, 2)}\n`,
    );
    process.stderr.write(`comparison written to ${o.out}\n`);
  }
  return comparison.differences.length === 0 ? 0 : 1;
}

/** Every stored per-example row of the result, page by page (all from that one result). */
async function storedRows(client: Client, id: string, version: number, resultId: string): Promise<StoredExample[]> {
  const rows: StoredExample[] = [];
  const read = () => client.submissions.examples.query({ id, version, offset: rows.length, limit: PAGE });
  let page = await read();
  const bar = progressBar('reading stored examples', page.total);
  for (;;) {
    if (page.rows.some((r) => r.resultId !== resultId))
      throw new Error('the stored result changed while it was read (a rerun finished); run reproduce again');
    rows.push(...page.rows);
    bar.update(rows.length, `${rows.length}/${page.total}`);
    if (rows.length >= page.total || page.rows.length === 0) break;
    page = await read();
  }
  bar.stop();
  return rows;
}
