import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chooseDevice, probeCuda } from '../src/index';

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
    await expect(chooseDevice('cuda', noCuda)).rejects.toThrow(
      'device cuda requested but CUDA is not available: no CUDA provider (use --device cpu or auto)',
    );
    expect((await chooseDevice('cuda', withCuda)).device).toBe('cuda');
  });

  it('probes the real onnxruntime-node binding consistently with the choice it makes', async () => {
    const probe = await probeCuda();
    expect(probe.detail.length).toBeGreaterThan(0);
    const auto = await chooseDevice('auto');
    expect(auto.device).toBe(probe.available ? 'cuda' : 'cpu');
    if (!probe.available) await expect(chooseDevice('cuda')).rejects.toThrow(probe.detail);
  });
});
