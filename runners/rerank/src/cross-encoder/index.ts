/** Cross-encoder re-ranking: an ONNX model directory in the Hugging Face layout, scored by length-batched pairs. */
export { type BatchLimits, DEFAULT_BATCH_LIMITS, planBatches } from './batching';
export {
  DEFAULT_MAX_LENGTH,
  DEFAULT_MAX_MODEL_BYTES,
  type ModelDirectory,
  maxLengthOf,
  readModelDirectory,
} from './model-dir';
export { type PairEncoding, PairTokenizer } from './pair-tokenizer';
export { type RerankQuery, rerankQueries } from './rerank';
export { mergeReranked, type RankedDoc } from './rerank-order';
export {
  CrossEncoder,
  type OpenCrossEncoderOptions,
  type QueryPassage,
  type ScoreControl,
  type ScoreStats,
} from './scorer';
export { type CrossEncoderSignature, checkSignature } from './signature';
