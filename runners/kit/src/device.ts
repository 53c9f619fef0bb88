import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import type { Device } from '@trueboard/contracts';

export type DeviceRequest = 'auto' | Device;

export interface CudaProbe {
  available: boolean;
  /** why CUDA is (not) usable, shown to the operator */
  detail: string;
}

/**
 * The operator asked for a device (`--device cuda`) this machine cannot give. It is the runner's
 * setup, not the submission: evaluators must let it through rather than report it as the submitted
 * model's fault. Check it by name as well as with instanceof, since an evaluator loaded from source may
 * hold its own copy of this class.
 */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

export interface DeviceChoice {
  device: Device;
  /** e.g. "AMD EPYC 7763 64-Core Processor, 8 cores, 31.3 GiB RAM" */
  hardware: string;
  detail: string;
}

/**
 * Picks the execution device. `auto` takes CUDA when onnxruntime-node can use its CUDA execution
 * provider and falls back to CPU otherwise; an explicit `cuda` that cannot be honoured is an error.
 */
export async function chooseDevice(
  requested: DeviceRequest,
  probe: () => Promise<CudaProbe> = probeCuda,
): Promise<DeviceChoice> {
  const hardware = describeHardware();
  if (requested === 'cpu') return { device: 'cpu', hardware, detail: 'cpu requested' };
  const cuda = await probe();
  if (cuda.available) return { device: 'cuda', hardware: `${hardware}, CUDA`, detail: cuda.detail };
  if (requested === 'cuda') {
    throw new DeviceUnavailableError(
      `device cuda requested but CUDA is not available: ${cuda.detail} (use --device cpu or auto)`,
    );
  }
  return { device: 'cpu', hardware, detail: `cpu (${cuda.detail})` };
}

export function describeHardware(): string {
  const list = cpus();
  const model = list[0]?.model.trim() || 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${list.length} cores, ${gib} GiB RAM`;
}

/**
 * Asks onnxruntime-node which backends it has. The binding is loaded lazily so a missing or broken
 * native module means "cpu", not a crash. ORT lists `cuda` on every linux-x64 build and marks it
 * `bundled: false` because the provider library is an optional download, so also check that it is there.
 */
export async function probeCuda(): Promise<CudaProbe> {
  let backends: Array<{ name: string; bundled: boolean }>;
  try {
    const ort = await import('onnxruntime-node');
    if (typeof ort.listSupportedBackends !== 'function') {
      return { available: false, detail: 'this onnxruntime-node cannot list its backends' };
    }
    backends = ort.listSupportedBackends();
  } catch (e) {
    return { available: false, detail: `onnxruntime-node failed to load: ${e instanceof Error ? e.message : e}` };
  }
  const cuda = backends.find((b) => b.name === 'cuda');
  if (!cuda) return { available: false, detail: 'onnxruntime-node has no CUDA execution provider' };
  if (cuda.bundled) return { available: true, detail: 'onnxruntime-node CUDA execution provider' };
  const lib = cudaProviderLibrary();
  if (lib && existsSync(lib)) return { available: true, detail: `onnxruntime-node CUDA execution provider (${lib})` };
  return {
    available: false,
    detail:
      'the onnxruntime-node CUDA provider library is not installed; reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12',
  };
}

function cudaProviderLibrary(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const bin = path.join(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return path.join(bin, file);
  } catch {
    return undefined;
  }
}
