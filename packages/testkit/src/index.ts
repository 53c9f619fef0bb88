export * from './database';
export * from './platform';
export * from './server';
export * from './toy-evaluator';
export * from './scenario';
