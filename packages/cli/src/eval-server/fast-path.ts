/**
 * What the launcher (bin/trueboard.cjs) needs to hand `trueboard eval` to the resident evaluator,
 * bundled alone as CommonJS (dist/eval-client.cjs, see build.mjs): a call the server answers
 * starts neither Node's ES module loader nor the CLI bundle.
 */
export { exitWhenFlushed } from '../cli-io';
export { evalThroughServer } from './client';
