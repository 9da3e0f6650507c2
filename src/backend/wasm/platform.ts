/**
 * The one seam between the fast backend and its host: how to load a .wasm file and start a worker thread.
 * Two hosts implement it: `platform-browser.ts` (fetch, Web Workers) and `platform-node.ts` (fs,
 * worker_threads); `current-platform.ts` picks one, importing Node's only when running in Node, so the same
 * code runs in a browser or a Web Worker.
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
