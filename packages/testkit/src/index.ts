export { freePort } from '@trueboard/db/embedded';
export * from './database';
export * from './platform';
export * from './processes';
export * from './report';
export * from './scenario';
export * from './server';
export * from './test-runner';
export * from './toy-evaluator';
