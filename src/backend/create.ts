/**
 * Making a backend by name: 'ref' (plain TypeScript, float32 or float64) or 'wasm' (WebAssembly SIMD,
 * float32, worker threads). The wasm backend loads asynchronously (it compiles a module and may start
 * workers), so this is async for both.
 */
import { ConfigError } from '../errors.js';
import type { Backend, DType } from './backend.js';
import { refBackend } from './ref.js';
import { hasWasmSimd, loadWasmBackend, type WasmOptions } from './wasm/load.js';

export type BackendName = 'ref' | 'wasm';
export const BACKEND_NAMES: readonly BackendName[] = ['ref', 'wasm'];

export interface BackendOptions extends WasmOptions {
  /** Arithmetic: 'float32' (default) or, for ref only, 'float64'. */
  dtype?: DType;
}

/** 'wasm' where this runtime runs WebAssembly SIMD, else 'ref'. */
export function defaultBackendName(): BackendName {
  return hasWasmSimd() ? 'wasm' : 'ref';
}

export async function createBackend(name: BackendName = defaultBackendName(), options: BackendOptions = {}): Promise<Backend> {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`dtype must be float32 or float64, got ${dtype}`);
  switch (name) {
    case 'ref':
      return refBackend(dtype);
    case 'wasm':
      if (dtype !== 'float32') throw new ConfigError('the wasm backend computes in float32 only; use --backend ref for float64');
      return loadWasmBackend(options);
    default:
      throw new ConfigError(`backend must be one of ${BACKEND_NAMES.join(', ')}, got ${name}`);
  }
}
