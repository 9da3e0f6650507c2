/**
 * The one seam between the fast backend and its host: how to load a .wasm file and start a worker thread.
 * Node (fs, worker_threads) is imported only when running in Node, so the same code runs in a browser or a
 * Web Worker, where files come by fetch() and threads are Web Workers.
 */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Resolves with the worker's first message. */
  firstMessage(): Promise<unknown>;
  terminate(): void;
}

export interface Platform {
  loadModule(url: URL): Promise<WebAssembly.Module>;
  startWorker(url: URL): WorkerHandle;
  /** Logical processors, for the default thread count. */
  hardwareThreads(): number;
  /** Whether memory can be shared with workers (Node; a cross-origin isolated page). */
  canShareMemory(): boolean;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

const browserPlatform: Platform = {
  async loadModule(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    return WebAssembly.compile(await response.arrayBuffer());
  },
  startWorker(url) {
    const w = new Worker(url, { type: 'module' });
    return {
      post: (m) => w.postMessage(m),
      firstMessage: () => new Promise((resolve, reject) => {
        w.addEventListener('message', (e) => resolve(e.data), { once: true });
        w.addEventListener('error', (e) => reject(new Error(e.message)), { once: true });
      }),
      terminate: () => w.terminate(),
    };
  },
  hardwareThreads: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  canShareMemory: () => typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
};

export async function currentPlatform(): Promise<Platform> {
  if (!isNode()) return browserPlatform;
  const nodePlatform = './platform-node.js';
  return ((await import(nodePlatform)) as typeof import('./platform-node.js')).nodePlatform;
}
