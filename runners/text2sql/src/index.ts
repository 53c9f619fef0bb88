export { text2sqlEvaluator, loadDataset, EVALUATOR_VERSION, type Text2SqlPrepared } from './evaluator';
export { parsePredictions, importLines, detectFormat, type PredictionFormat } from './predictions';
export { loadSpider } from './formats/spider';
export { loadBird } from './formats/bird';
export { FormatError, type Text2SqlDataset, type Text2SqlExample } from './dataset';
export { Text2SqlOptions } from './options';
export { GoldCache } from './gold-cache';
export { scoreAll, type ScoredExample } from './score';
