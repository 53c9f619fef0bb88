import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type EvalCliHost, formatBytes } from '@trueboard/contracts';
import { detectArchive } from '@trueboard/kit';
import { parseRerankOptions } from '../options';
import { bm25CandidatesText } from './bm25-candidates';
import { type DatasetView, datasetView } from './dataset-view';
import { DEFAULT_DEPTH, type ModelMode } from './modes';
import { MAX_INPUT_BYTES } from './trec-inputs';

/**
 * `trueboard eval rerank --dataset <beir-dir> --model <onnx-dir> [--candidates <run>|bm25] [--depth N]
 * [--write-run F] [--write-rankify F]`:
 * the platform's evaluation of the model directory as the artifact, on the dataset's candidates
 * (its `candidates` setting), another run file, or BM25 computed here. A candidates file outside
 * the dataset directory, or computed, is put beside the dataset's files in a temporary view (see
 * datasetView), since the evaluator reads candidates from inside the dataset only. `--write-run` and
 * `--write-rankify` write the model's ranking as the platform's downloads do.
 */
export async function runModelMode(m: ModelMode, host: EvalCliHost): Promise<number> {
  await checkModel(m.model);
  const root = resolve(m.dataset);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`--dataset ${m.dataset}: no such directory`);
  const options = parseRerankOptions(await host.settings(root));
  const depth = m.depth ?? options.depth ?? DEFAULT_DEPTH;
  let view: DatasetView | undefined;
  try {
    let candidates = options.candidates;
    if (m.candidates === 'bm25') {
      const bm25 = await bm25CandidatesText(root, options.split, depth, host.progress);
      host.err(
        `bm25 candidates: top ${depth} of ${bm25.documents} documents for ${bm25.queries} queries (${JSON.stringify(bm25.config)})\n`,
      );
      view = await datasetView(root, { text: bm25.text }, 'candidates.bm25.cli.trec');
      candidates = view.name;
    } else if (m.candidates !== undefined) {
      const file = resolve(m.candidates);
      const found = await stat(file).catch(() => null);
      if (!found?.isFile()) throw new Error(`--candidates ${m.candidates}: no such file (a TREC run, or 'bm25')`);
      if (found.size > MAX_INPUT_BYTES) {
        throw new Error(
          `--candidates ${m.candidates}: ${formatBytes(found.size)}, over the ${formatBytes(MAX_INPUT_BYTES)} limit`,
        );
      }
      const inside = relative(root, file);
      if (inside !== '' && !isAbsolute(inside) && inside.split(sep)[0] !== '..') {
        candidates = inside.split(sep).join('/');
      } else {
        view = await datasetView(root, { link: file });
        candidates = view.name;
      }
    }
    if (!candidates) {
      throw new Error(
        `--model re-ranks candidates, and ${m.dataset} names none (no "candidates" in its manifest's evaluator settings): give --candidates <run file> or --candidates bm25`,
      );
    }
    const files = { run: m.writeRun, rankify: m.writeRankify };
    const failed = await host.evaluate({
      dataset: view?.dir ?? root,
      predictions: [m.model],
      settings: { candidates, depth },
      ...(files.run || files.rankify
        ? {
            onReport: async (report) => {
              const { writeDownloads } = await import('./write-downloads');
              await writeDownloads(report, files, m.runTag ?? 'trueboard', host.err);
            },
          }
        : {}),
    });
    return failed > 0 ? 1 : 0;
  } finally {
    await view?.close();
  }
}

/** A cross-encoder directory must hold model.onnx and tokenizer.json; an archive of one is checked when unpacked. */
async function checkModel(model: string): Promise<void> {
  const info = await stat(model).catch(() => null);
  if (!info) throw new Error(`--model ${model}: no such directory`);
  if (info.isDirectory()) {
    for (const file of ['model.onnx', 'tokenizer.json']) {
      const found = await stat(join(model, file)).catch(() => null);
      if (!found?.isFile()) {
        throw new Error(
          `--model ${model}: ${file} is missing; a cross-encoder directory holds model.onnx and tokenizer.json, as \`optimum-cli export onnx --task text-classification\` writes them`,
        );
      }
    }
    return;
  }
  if (!(await detectArchive(model))) {
    throw new Error(
      `--model ${model}: not a directory; give the exported model directory, or a .tar, .tar.gz or .zip of it`,
    );
  }
}
