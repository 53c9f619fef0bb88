/*
 * Writes the project's test cross-encoder: a directory in the Hugging Face layout (model.onnx,
 * tokenizer.json, config.json, tokenizer_config.json) with the real BERT vocabulary and the signature
 * `optimum-cli export onnx` gives a real one, so the ONNX directory path runs end to end without
 * downloading weights. It is not a transformer: embeddings of the query part and of the passage part
 * are mean-pooled separately and their elementwise product goes through a linear head, so a passage
 * sharing rarer words with the query scores higher. It ranks "somewhat", and the board labels it
 * `test model`.
 *
 *   npx tsx runners/rerank/scripts/build-test-model.ts <out-dir> [--tokenizer <tokenizer.json>]
 *
 * The bytes are a function of the tokenizer alone (seeded weights, fixed JSON key order): a test
 * rebuilds the directory and compares sha256. The graph is encoded with onnx-proto, the ONNX schema
 * compiled for protobufjs, rather than written byte by byte: its field names are the schema's, and
 * it writes the embedding table as raw_data in one piece.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** BERT's real tokenizer, shipped with the package (runners/rerank/tokenizers). */
export const DEFAULT_TOKENIZER = path.join(import.meta.dirname, '../tokenizers/bert-base-uncased.tokenizer.json');
/** Embedding width: vocab × 32 float32 is about 3.9 MB for BERT's 30,522 tokens. */
export const HIDDEN = 32;
const SEED = 0x7e57;

/** Variants the tests build to see bad models refused; the script itself writes the default. */
export interface TestModelVariant {
  /** logits per pair; 2 puts the 1-logit model's head in column 1 and its negation in column 0 */
  logits?: 1 | 2 | 3;
  /** element type of the three inputs */
  inputType?: 'int64' | 'int32';
  /** renames inputs, e.g. { input_ids: 'ids' } */
  rename?: Partial<Record<'input_ids' | 'attention_mask' | 'token_type_ids', string>>;
  /** a fixed batch dimension instead of a symbolic one */
  fixedBatch?: number;
  /**
   * rows in the embedding table instead of the tokenizer's vocabulary size: fewer makes a model that
   * loads but fails in session.run on the first token id past its table (an out-of-range Gather)
   */
  vocab?: number;
  /**
   * hostile graphs for the runner's limits (their extra output is multiplied by 0, so a run that
   * finished would score as the plain model): `endless` adds a Loop of 2^62 iterations on a value
   * computed from the input (never folded away at load), `memoryHog` a float tensor of
   * [batch, sequence, 2^26] zeros (256 MiB per token) built from the input's shape
   */
  hostile?: 'endless' | 'memoryHog';
  /** stores the classifier bias as external data at this location (relative to model.onnx) */
  externalBias?: string;
}

/** mulberry32: a small seeded generator, so the weights are the same on every machine. */
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

/**
 * BERT's vocabulary lists special tokens, unused slots and single characters below id 1996, then words
 * roughly from most to least frequent ("the" is 1996). Scaling rows up with the id is a crude inverse
 * document frequency: shared rare words count, shared "the" barely does.
 */
function rowScale(id: number): number {
  return id < 1996 ? 0.05 : Math.min(1, Math.max(0.05, (id - 1996) / 4000));
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

function int64Tensor(name: string, values: (number | bigint)[], dims = [values.length]) {
  const data = new BigInt64Array(values.map(BigInt));
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  });
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function node(opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) {
  return onnx.NodeProto.create({ opType, input, output: [output], name: `${opType}_${output}`, attribute });
}
const intAttr = (name: string, i: number) =>
  onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT });

/** The nodes and initializers of a hostile variant: they compute `hostile_term`, a float scalar that is 0. */
function hostileTerm(kind: 'endless' | 'memoryHog') {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const zero = floatTensor('hostile_zero', [], Float32Array.of(0));
  if (kind === 'memoryHog') {
    return {
      nodes: [
        node('Shape', ['mask'], 'hog_shape2'),
        node('Concat', ['hog_shape2', 'hog_width'], 'hog_shape3', [intAttr('axis', 0)]),
        node('ConstantOfShape', ['hog_shape3'], 'hog'),
        node('ReduceSum', ['hog'], 'hog_sum', [intAttr('keepdims', 0)]),
        node('Mul', ['hog_sum', 'hostile_zero'], 'hostile_term'),
      ],
      initializers: [zero, int64Tensor('hog_width', [2 ** 26])],
    };
  }
  const BOOL = onnx.TensorProto.DataType.BOOL;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const body = onnx.GraphProto.create({
    name: 'spin_body',
    node: [node('Identity', ['spin_cond_in'], 'spin_cond_out'), node('Add', ['spin_in', 'one'], 'spin_out')],
    input: [valueInfo('spin_iter', INT64, []), valueInfo('spin_cond_in', BOOL, []), valueInfo('spin_in', FLOAT, [])],
    output: [valueInfo('spin_cond_out', BOOL, []), valueInfo('spin_out', FLOAT, [])],
  });
  const graphAttr = onnx.AttributeProto.create({
    name: 'body',
    g: body,
    type: onnx.AttributeProto.AttributeType.GRAPH,
  });
  return {
    nodes: [
      node('ReduceSum', ['mask'], 'spin_start', [intAttr('keepdims', 0)]),
      node('Loop', ['spin_trips', '', 'spin_start'], 'spin', [graphAttr]),
      node('Mul', ['spin', 'hostile_zero'], 'hostile_term'),
    ],
    initializers: [zero, int64Tensor('spin_trips', [2n ** 62n], [])],
  };
}

/** The model.onnx bytes for a vocabulary of `vocab` tokens. */
export function buildTestModel(vocab: number, variant: TestModelVariant = {}): Uint8Array {
  const k = variant.logits ?? 1;
  const next = random(SEED);
  const words = new Float32Array(vocab * HIDDEN);
  for (let id = 0; id < vocab; id++) {
    const scale = rowScale(id);
    for (let j = 0; j < HIDDEN; j++) words[id * HIDDEN + j] = (next() * 2 - 1) * scale;
  }
  const types = Float32Array.from({ length: 2 * HIDDEN }, () => (next() * 2 - 1) * 0.05);
  const head = Float32Array.from({ length: HIDDEN }, () => 0.5 + next());
  const weight = new Float32Array(HIDDEN * k);
  for (let j = 0; j < HIDDEN; j++) {
    // column k-1 is the relevance logit; the others are its negation (a 2-logit head's negative class)
    for (let c = 0; c < k; c++) weight[j * k + c] = c === k - 1 ? (head[j] ?? 0) : -(head[j] ?? 0);
  }
  const bias = Float32Array.from({ length: k }, (_, c) => (c === k - 1 ? -0.25 : 0.25));

  const name = (n: 'input_ids' | 'attention_mask' | 'token_type_ids') => variant.rename?.[n] ?? n;
  const elem = variant.inputType === 'int32' ? onnx.TensorProto.DataType.INT32 : onnx.TensorProto.DataType.INT64;
  const batch = variant.fixedBatch ?? 'batch_size';
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const hostile = variant.hostile ? hostileTerm(variant.hostile) : undefined;
  const pool = (side: 'query' | 'passage', mask: string) => [
    node('Unsqueeze', [mask, 'last_axis'], `${side}_mask3`),
    node('Mul', ['hidden', `${side}_mask3`], `${side}_masked`),
    node('ReduceSum', [`${side}_masked`, 'seq_axis'], `${side}_sum`, [intAttr('keepdims', 0)]),
    node('ReduceSum', [`${side}_mask3`, 'seq_axis'], `${side}_count`, [intAttr('keepdims', 0)]),
    node('Max', [`${side}_count`, 'one'], `${side}_count1`),
    node('Div', [`${side}_sum`, `${side}_count1`], `${side}_vector`),
  ];
  const graph = onnx.GraphProto.create({
    name: 'trueboard_test_cross_encoder',
    node: [
      node('Gather', ['word_embeddings', name('input_ids')], 'words'),
      node('Gather', ['token_type_embeddings', name('token_type_ids')], 'types'),
      node('Add', ['words', 'types'], 'hidden'),
      node('Cast', [name('attention_mask')], 'mask', [intAttr('to', FLOAT)]),
      node('Cast', [name('token_type_ids')], 'type_float', [intAttr('to', FLOAT)]),
      node('Mul', ['mask', 'type_float'], 'passage_mask'),
      node('Sub', ['mask', 'passage_mask'], 'query_mask'),
      ...pool('query', 'query_mask'),
      ...pool('passage', 'passage_mask'),
      node('Mul', ['query_vector', 'passage_vector'], 'overlap'),
      node('MatMul', ['overlap', 'classifier_weight'], 'linear'),
      ...(hostile
        ? [
            node('Add', ['linear', 'classifier_bias'], 'plain_logits'),
            ...hostile.nodes,
            node('Add', ['plain_logits', 'hostile_term'], 'logits'),
          ]
        : [node('Add', ['linear', 'classifier_bias'], 'logits')]),
    ],
    initializer: [
      floatTensor('word_embeddings', [vocab, HIDDEN], words),
      floatTensor('token_type_embeddings', [2, HIDDEN], types),
      floatTensor('classifier_weight', [HIDDEN, k], weight),
      variant.externalBias === undefined
        ? floatTensor('classifier_bias', [k], bias)
        : onnx.TensorProto.create({
            name: 'classifier_bias',
            dims: [k],
            dataType: FLOAT,
            dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
            externalData: [
              { key: 'location', value: variant.externalBias },
              { key: 'offset', value: '0' },
              { key: 'length', value: String(4 * k) },
            ],
          }),
      floatTensor('one', [], Float32Array.of(1)),
      int64Tensor('seq_axis', [1]),
      int64Tensor('last_axis', [-1]),
      ...(hostile?.initializers ?? []),
    ],
    input: (['input_ids', 'attention_mask', 'token_type_ids'] as const).map((n) =>
      valueInfo(name(n), elem, [batch, 'sequence_length']),
    ),
    output: [valueInfo('logits', FLOAT, [batch, k])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'trueboard build-test-model',
    graph,
    opsetImport: [{ domain: '', version: 13 }],
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The vocabulary size of a tokenizer.json: one past the largest id, added tokens included. */
export function vocabSize(tokenizer: { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number }[] }) {
  const ids = [...Object.values(tokenizer.model?.vocab ?? {}), ...(tokenizer.added_tokens ?? []).map((t) => t.id)];
  if (!ids.length) throw new Error('tokenizer.json has no model.vocab');
  return Math.max(...ids) + 1;
}

/** Writes the test cross-encoder directory; returns its vocabulary size. */
export async function writeTestModel(
  outDir: string,
  { tokenizer = DEFAULT_TOKENIZER, variant = {} }: { tokenizer?: string; variant?: TestModelVariant } = {},
): Promise<number> {
  const tokenizerBytes = await readFile(tokenizer);
  const vocab = variant.vocab ?? vocabSize(JSON.parse(tokenizerBytes.toString('utf8')));
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'model.onnx'), buildTestModel(vocab, variant));
  // copied as bytes, not with copyFile, so a read-only source does not make the copy read-only
  await writeFile(path.join(outDir, 'tokenizer.json'), tokenizerBytes);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(
    path.join(outDir, 'config.json'),
    json({
      _name_or_path: 'trueboard/test-cross-encoder',
      architectures: ['BertForSequenceClassification'],
      model_type: 'bert',
      vocab_size: vocab,
      hidden_size: HIDDEN,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      num_labels: variant.logits ?? 1,
      trueboard_test_model: true,
    }),
  );
  await writeFile(
    path.join(outDir, 'tokenizer_config.json'),
    json({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  return vocab;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--tokenizer');
  const tokenizer = at >= 0 ? args[at + 1] : DEFAULT_TOKENIZER;
  const outDir = args.find((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));
  if (!outDir || !tokenizer) {
    console.error('usage: npx tsx runners/rerank/scripts/build-test-model.ts <out-dir> [--tokenizer <tokenizer.json>]');
    process.exit(2);
  }
  const vocab = await writeTestModel(outDir, { tokenizer });
  console.log(`wrote the test cross-encoder to ${outDir} (vocabulary ${vocab}, hidden ${HIDDEN})`);
}
