export * from './audit';
export * from './corrections';
export * from './evaluator';
export * from './family';
export * from './manifest';
export * from './report';
export * from './runner-protocol';
export * from './submission';
