import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chooseDevice, DeviceUnavailableError, probeCuda } from '../src/index';
import { MUL_ADD_MODEL } from './onnx-model';

const noCuda = async () => ({ available: false, detail: 'no CUDA provider' });
const withCuda = async () => ({ available: true, detail: 'CUDA provider' });

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
    const error = await chooseDevice('cuda', noCuda).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    expect(error).toMatchObject({
      name: 'DeviceUnavailableError',
      message: 'device cuda requested but CUDA is not available: no CUDA provider (use --device cpu or auto)',
    });
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
    const session = await ort.InferenceSession.create(MUL_ADD_MODEL, { executionProviders: [device] });
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
