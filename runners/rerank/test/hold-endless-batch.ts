/**
 * Run by cross-encoder-limits.test.ts as a stand-in runner: opens the model directory given, prints
 * its ONNX worker's pid, and starts a batch on it (an endless one, in the test), then waits to be killed.
 */
import { CrossEncoder } from '../src/cross-encoder';

const dir = process.argv[2];
if (!dir) throw new Error('usage: hold-endless-batch.ts <model dir>');
const ce = await CrossEncoder.open(dir, { device: 'cpu', deviceRequest: 'auto' }, { batchTimeoutMs: 600_000 });
process.stdout.write(`${ce.workerPid}\n`);
await ce.score([{ query: 'vitamin d', passage: 'rickets' }]);
