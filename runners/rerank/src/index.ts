/** The re-ranking family (issue 13): formats, BM25, cross-encoders. Its FamilyModule lands here. */
export * from './bm25';
export * from './cross-encoder';
export * from './formats';
