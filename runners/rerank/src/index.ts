/** The re-ranking family (issue 13): formats, BM25, cross-encoders. Its FamilyModule lands here. */
export * from './bm25';
export * from './cross-encoder';
export { rerankEvaluator } from './evaluator';
export { rerankFamily } from './family';
export * from './formats';
