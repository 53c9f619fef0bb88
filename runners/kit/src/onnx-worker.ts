/**
 * Entry point of one ONNX worker process (started by onnx-worker-process.ts: compiled into the CLI
 * bundle as onnx-worker.cjs, or run through tsx from source). It holds one InferenceSession and runs
 * the batches it is sent, one at a time. onnxruntime-node's session.run blocks the JavaScript thread
 * for the whole batch, so it runs here and not in the runner: the runner keeps its event loop (its
 * heartbeats, cancels and progress), and stops a batch past its deadline by killing this process.
 */
import { Worker } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { OnnxReply, OnnxRequest, PlainTensor, TensorData } from './onnx-protocol';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
let session: InferenceSession | undefined;
/** requests run one after another, in the order they came */
let queue: Promise<void> = Promise.resolve();

const reply = (r: OnnxReply) => process.send?.(r);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function handle(req: OnnxRequest): Promise<void> {
  if (req.type === 'open') {
    try {
      ort ??= await import('onnxruntime-node');
      session = await (typeof req.model === 'string'
        ? ort.InferenceSession.create(req.model, req.options)
        : ort.InferenceSession.create(req.model, req.options));
      reply({
        type: 'opened',
        inputMetadata: session.inputMetadata.map((m) => ({ ...m })),
        outputMetadata: session.outputMetadata.map((m) => ({ ...m })),
        version: ort.env.versions.node ?? ort.env.versions.common,
      });
    } catch (e) {
      reply({ type: 'failed', message: message(e) });
    }
    return;
  }
  try {
    if (!ort || !session) throw new Error('no model is open in this ONNX worker');
    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(req.feeds)) {
      feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    const out = await session.run(feeds, req.outputs);
    const outputs: Record<string, PlainTensor> = {};
    for (const [name, t] of Object.entries(out)) {
      outputs[name] = { type: t.type, data: t.data as TensorData, dims: [...t.dims] };
    }
    reply({ type: 'ran', id: req.id, outputs });
  } catch (e) {
    reply({ type: 'failed', id: req.id, message: message(e) });
  }
}

process.on('message', (msg: unknown) => {
  queue = queue.then(() => handle(msg as OnnxRequest));
});

// the parent closed the channel (released the session, or died): go
process.on('disconnect', () => process.exit(0));

/**
 * 'disconnect' is an event on this thread, which session.run may hold for good (a graph that never
 * ends): a runner killed meanwhile (kill -9, the OOM killer) would leave this process running. A
 * thread of its own looks at the parent every PARENT_CHECK_MS and ends the process once it has been
 * re-parented.
 */
const PARENT_CHECK_MS = 1000;
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, ${PARENT_CHECK_MS});`,
  { eval: true, workerData: process.ppid },
).unref();
