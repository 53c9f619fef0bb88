import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { DEFAULT_TOKENIZER, vocabSize } from '../runners/rerank/scripts/build-test-model';

const { onnx } = onnxProto;

/**
 * A cross-encoder directory with the compute of a MiniLM-L6 (cross-encoder/ms-marco-MiniLM-L-6-v2:
 * hidden 384, 6 layers, FFN 1,536) for `npm run bench -- rerank`, which may not download the real
 * one. It is not a transformer and ranks nothing: random weights. Per token and layer it does the
 * MiniLM's matrix products, 384×1,536 and back (the FFN) plus 384×768 and back (as many
 * multiply-adds as the four 384×384 attention projections): 1.77 M multiply-adds a token a layer,
 * 10.6 M for six. It leaves out attention's scores and context (about 2 × seq × 384 more a token
 * and layer, ~12% at 300 tokens), softmax, LayerNorm and GELU, so session.run is somewhat faster than
 * the real model's and the share of time outside it is, if anything, overstated. The signature is
 * optimum's (input_ids, attention_mask, token_type_ids int64 → logits [batch, 1]) and the tokenizer
 * is BERT's, so the platform's cross-encoder path runs it unchanged. The test-model builder
 * (runners/rerank/scripts/build-test-model.ts) has a fixed hidden size of 32, hence this one.
 */
export const STANDIN = { hidden: 384, layers: 6, ffn: 1536, projection: 768 };

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(384);
function weights(name: string, dims: number[], scale: number) {
  const values = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (next() * 2 - 1) * scale);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer),
  });
}

function int64s(name: string, values: number[]) {
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer),
  });
}

const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) =>
  onnx.NodeProto.create({ opType, input, output: [output], name: `${opType}_${output}`, attribute });

function valueInfo(name: string, elemType: number, dims: string[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimParam: d })) } } },
  });
}

export function buildStandinModel(vocab: number): Uint8Array {
  const { hidden, layers, ffn, projection } = STANDIN;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const nodes = [
    node('Gather', ['word_embeddings', 'input_ids'], 'words'),
    node('Gather', ['type_embeddings', 'token_type_ids'], 'types'),
    node('Add', ['words', 'types'], 'h0'),
  ];
  const init = [weights('word_embeddings', [vocab, hidden], 0.5), weights('type_embeddings', [2, hidden], 0.05)];
  for (let l = 0; l < layers; l++) {
    const h = `h${l}`;
    nodes.push(
      node('MatMul', [h, `l${l}_up`], `l${l}_u`),
      node('Relu', [`l${l}_u`], `l${l}_r`),
      node('MatMul', [`l${l}_r`, `l${l}_down`], `l${l}_ffn`),
      node('MatMul', [h, `l${l}_a`], `l${l}_pa`),
      node('MatMul', [`l${l}_pa`, `l${l}_b`], `l${l}_proj`),
      node('Add', [h, `l${l}_ffn`], `l${l}_s`),
      node('Add', [`l${l}_s`, `l${l}_proj`], `h${l + 1}`),
    );
    const s = 1 / Math.sqrt(hidden);
    init.push(
      weights(`l${l}_up`, [hidden, ffn], s),
      weights(`l${l}_down`, [ffn, hidden], s / 4),
      weights(`l${l}_a`, [hidden, projection], s),
      weights(`l${l}_b`, [projection, hidden], s / 4),
    );
  }
  nodes.push(
    node('Cast', ['attention_mask'], 'mask', [
      onnx.AttributeProto.create({ name: 'to', i: FLOAT, type: onnx.AttributeProto.AttributeType.INT }),
    ]),
    node('Unsqueeze', ['mask', 'last_axis'], 'mask3'),
    node('Mul', [`h${layers}`, 'mask3'], 'masked'),
    node('ReduceSum', ['masked', 'seq_axis'], 'pooled', [
      onnx.AttributeProto.create({ name: 'keepdims', i: 0, type: onnx.AttributeProto.AttributeType.INT }),
    ]),
    node('MatMul', ['pooled', 'head'], 'logits'),
  );
  init.push(weights('head', [hidden, 1], 0.01), int64s('seq_axis', [1]), int64s('last_axis', [-1]));
  const graph = onnx.GraphProto.create({
    name: 'trueboard_minilm_cost_standin',
    node: nodes,
    initializer: init,
    input: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) =>
      valueInfo(n, onnx.TensorProto.DataType.INT64, ['batch_size', 'sequence_length']),
    ),
    output: [
      onnx.ValueInfoProto.create({
        name: 'logits',
        type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch_size' }, { dimValue: 1 }] } } },
      }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'trueboard bench',
    graph,
    opsetImport: [{ domain: '', version: 13 }],
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the stand-in as a Hugging Face directory (model.onnx, tokenizer.json, config.json, tokenizer_config.json). */
export async function writeStandinModel(dir: string): Promise<void> {
  const tokenizer = JSON.parse(await readFile(DEFAULT_TOKENIZER, 'utf8'));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), buildStandinModel(vocabSize(tokenizer)));
  await copyFile(DEFAULT_TOKENIZER, path.join(dir, 'tokenizer.json'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ max_position_embeddings: 512, ...STANDIN }));
  await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 512 }));
}
