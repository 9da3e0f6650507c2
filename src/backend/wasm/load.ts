/**
 * Loading the fast backend: pick the kernels' build for this runtime (relaxed SIMD where it validates,
 * shared memory where threads can use it), compile it, make the memory, start the workers.
 */
import { ConfigError } from '../../errors.js';
import { wasmBackend, type WasmBackend } from './backend.js';
import { Heap } from './heap.js';
import { KERNEL_IMPORTS, type Kernels } from './kernels.js';
import { currentPlatform } from './current-platform.js';
import { Pool } from './pool.js';
import { CONTROL_BYTES, controlAt } from './tasks.js';

export interface WasmOptions {
  /** Threads including the caller; default: all logical processors (1 where memory cannot be shared). */
  threads?: number;
  /** Use relaxed-SIMD fused multiply-adds when the runtime offers them. Default true. */
  fma?: boolean;
  /** Memory size when it cannot be shared (and so cannot grow), in MB. Default 256. */
  memoryMB?: number;
  /**
   * MB of image sets gatherRows may copy into the backend's memory, to gather batches there (the copy does
   * not follow later writes into a set's bytes). Default 128 (a quarter of the memory when it is fixed); 0: none.
   */
  imageCacheMB?: number;
  /** Where the .wasm files are (a folder URL ending in '/'); default: beside this module. */
  baseUrl?: string | URL;
}

// (module (func (result v128) (v128.const 0..) ... )): SIMD, then with f32x4.relaxed_madd.
const SIMD_PROBE = probe([0xfd, 0x0c, ...new Array(16).fill(0), 0x0b]);
const RELAXED_PROBE = probe([...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array(16).fill(0)]), 0xfd, 0x85, 0x02, 0x0b]);

function probe(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x0a, code.length + 2, 0x01, code.length, ...code,
  ]);
}

/** Whether this runtime runs WebAssembly SIMD (the fast backend needs it). */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Whether this runtime offers relaxed SIMD (Node 22+, Chrome 114+; Node 20 with --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

const PAGE = 65536;
const MAX_PAGES = 65536;

export async function loadWasmBackend(options: WasmOptions = {}): Promise<WasmBackend> {
  if (!hasWasmSimd()) throw new ConfigError('this JavaScript runtime has no WebAssembly SIMD; use the ref backend');
  const platform = await currentPlatform();
  const shared = platform.canShareMemory();
  const threads = options.threads ?? (shared ? Math.min(platform.hardwareThreads(), 8) : 1);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new ConfigError(`threads must be an integer from 1 to 64, got ${threads}`);
  if (threads > 1 && !shared) throw new ConfigError('threads need shared memory (in a browser: a cross-origin isolated page); use threads: 1');
  const memoryMB = options.memoryMB ?? 256;
  if (!(Number.isInteger(memoryMB) && memoryMB >= 1 && memoryMB <= 4095)) throw new ConfigError(`memoryMB must be an integer from 1 to 4095, got ${memoryMB}`);

  const imageCacheMB = options.imageCacheMB;
  if (imageCacheMB !== undefined && !(Number.isFinite(imageCacheMB) && imageCacheMB >= 0)) throw new ConfigError(`imageCacheMB must be a number >= 0, got ${imageCacheMB}`);
  const simd = (options.fma ?? true) && hasRelaxedSimd() ? 'relaxed-simd' : 'simd';
  const file = `kernels-${simd === 'relaxed-simd' ? 'relaxed' : 'simd'}${shared ? '-shared' : ''}.wasm`;
  const module = await platform.loadModule(new URL(file, options.baseUrl ?? import.meta.url));
  const memory = shared
    ? new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: Math.ceil((memoryMB * 2 ** 20) / PAGE), maximum: Math.ceil((memoryMB * 2 ** 20) / PAGE) });
  const instance = await WebAssembly.instantiate(module, { env: { memory }, ...KERNEL_IMPORTS });
  // The kernels keep no data in memory: everything from the first page on is ours.
  const heap = new Heap(memory, shared, 1024);
  const controlPtr = heap.allocBytes(CONTROL_BYTES);
  const control = controlAt(memory, controlPtr);
  const pool = threads > 1 ? await Pool.start(platform, module, memory, control, controlPtr, threads) : null;
  const imageCacheBytes = imageCacheMB === undefined ? undefined : Math.floor(imageCacheMB * 2 ** 20);
  return wasmBackend({ kernels: instance.exports as unknown as Kernels, heap, control, pool, simd, imageCacheBytes });
}
