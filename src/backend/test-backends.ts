/**
 * The float32 backends the engine's tests run on, so that every behaviour test holds on each: the reference
 * backend, the wasm backend on one thread and on two. (float64 is the reference backend's alone.)
 */
import type { Backend } from './backend.js';
import { createBackend } from './create.js';

export interface NamedBackend {
  label: string;
  backend: Backend;
}

let cached: Promise<NamedBackend[]> | null = null;

export function float32Backends(): Promise<NamedBackend[]> {
  cached ??= (async () => [
    { label: 'ref', backend: await createBackend('ref') },
    { label: 'wasm', backend: await createBackend('wasm', { threads: 1 }) },
    { label: 'wasm, 2 threads', backend: await createBackend('wasm', { threads: 2 }) },
  ])();
  return cached;
}
