import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chooseDevice, probeCuda } from '../src/index';

const noCuda = async () => ({ available: false, detail: 'no CUDA provider' });
const withCuda = async () => ({ available: true, detail: 'CUDA provider' });

/*
 * A tiny ONNX model written byte by byte (protobuf wire format, field numbers from onnx.proto3), so
 * the test needs nothing but onnxruntime-node: z = x * y + x over float[3].
 */
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
/** A varint field (wire type 0). */
const num = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
/** A length-delimited field (wire type 2): a string or an embedded message. */
const bytes = (field: number, payload: number[]) => [
  ...varint((field << 3) | 2),
  ...varint(payload.length),
  ...payload,
];
const text = (field: number, s: string) => bytes(field, utf8(s));

const FLOAT = 1; // TensorProto.DataType
/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } */
const floatVector = (name: string, length: number) => [
  ...text(1, name),
  ...bytes(2, bytes(1, [...num(1, FLOAT), ...bytes(2, bytes(1, num(1, length)))])),
];
/** NodeProto { input = 1, output = 2, name = 3, op_type = 4 } */
const node = (op: string, inputs: string[], output: string) => [
  ...inputs.flatMap((i) => text(1, i)),
  ...text(2, output),
  ...text(3, `${op.toLowerCase()}_${output}`),
  ...text(4, op),
];
/** ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 } } */
const MODEL = Uint8Array.from([
  ...num(1, 7),
  ...text(2, 'trueboard-kit-test'),
  ...bytes(7, [
    ...bytes(1, node('Mul', ['x', 'y'], 't')),
    ...bytes(1, node('Add', ['t', 'x'], 'z')),
    ...text(2, 'mul_add'),
    ...bytes(11, floatVector('x', 3)),
    ...bytes(11, floatVector('y', 3)),
    ...bytes(12, floatVector('z', 3)),
  ]),
  ...bytes(8, [...text(1, ''), ...num(2, 13)]),
]);

describe('chooseDevice', () => {
  it('uses the cpu when asked, without probing', async () => {
    const choice = await chooseDevice('cpu', () => Promise.reject(new Error('must not probe')));
    expect(choice.device).toBe('cpu');
    expect(choice.hardware).toContain(`${cpus().length} cores`);
    expect(choice.hardware).toMatch(/\d+\.\d GiB RAM$/);
  });

  it('takes CUDA on auto when the provider is there, and falls back to cpu when not', async () => {
    expect((await chooseDevice('auto', withCuda)).device).toBe('cuda');
    const fallback = await chooseDevice('auto', noCuda);
    expect(fallback).toMatchObject({ device: 'cpu', detail: 'cpu (no CUDA provider)' });
  });

  it('refuses an explicit cuda request that cannot be honoured, saying why', async () => {
    await expect(chooseDevice('cuda', noCuda)).rejects.toThrow(
      'device cuda requested but CUDA is not available: no CUDA provider (use --device cpu or auto)',
    );
    expect((await chooseDevice('cuda', withCuda)).device).toBe('cuda');
  });

  it('probes the real onnxruntime-node binding, which loads, consistently with the choice it makes', async () => {
    const probe = await probeCuda();
    // each of these answers needs the native binding loaded and its backends listed
    expect(probe.detail).toMatch(
      /^(onnxruntime-node CUDA execution provider|onnxruntime-node has no CUDA execution provider$|the onnxruntime-node CUDA provider library is not installed; )/,
    );
    const auto = await chooseDevice('auto');
    expect(auto.device).toBe(probe.available ? 'cuda' : 'cpu');
    if (!probe.available) await expect(chooseDevice('cuda')).rejects.toThrow(probe.detail);
  });
});

describe('an ONNX session on the chosen device', () => {
  it('loads a model built in the test and computes x * y + x', async () => {
    const ort = await import('onnxruntime-node');
    const { device } = await chooseDevice('auto');
    const session = await ort.InferenceSession.create(MODEL, { executionProviders: [device] });
    try {
      expect([session.inputNames, session.outputNames]).toEqual([['x', 'y'], ['z']]);
      const feeds = {
        x: new ort.Tensor('float32', Float32Array.from([1.5, -2, 0.25]), [3]),
        y: new ort.Tensor('float32', Float32Array.from([2, 3, 4]), [3]),
      };
      const { z } = await session.run(feeds);
      // 1.5*2+1.5, -2*3-2, 0.25*4+0.25: all exact in float32
      expect(z?.dims).toEqual([3]);
      expect(Array.from(z?.data as Float32Array)).toEqual([4.5, -8, 1.25]);
    } finally {
      await session.release();
    }
  });
});
