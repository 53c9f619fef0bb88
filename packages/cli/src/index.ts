export { builtinEvaluators, type EvaluatorMap, loadEvaluators } from './evaluators';
