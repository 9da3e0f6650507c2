/** The platform seam in a browser or a Web Worker: files by fetch(), threads as module Web Workers. */
import type { Platform } from './platform.js';

export const browserPlatform: Platform = {
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
