export { FormatError, type Text2SqlDataset, type Text2SqlExample } from './dataset';
export { EVALUATOR_VERSION, loadDataset, type Text2SqlPrepared, text2sqlEvaluator } from './evaluator';
export { loadBird } from './formats/bird';
export { loadSpider } from './formats/spider';
export { Text2SqlOptions } from './options';
export { detectFormat, importLines, type PredictionFormat, parsePredictions } from './predictions';
export { isDeterministic, ResultCache } from './result-cache';
export { type ScoredExample, scoreAll } from './score';
export { text2sqlCorrectionValidator } from './validate-correction';
