/** The platform seam in Node: files from disk, threads from worker_threads. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Platform } from './platform.js';

export const nodePlatform: Platform = {
  async loadModule(url) {
    const bytes = url.protocol === 'file:' ? await readFile(url) : new Uint8Array(await (await fetch(url)).arrayBuffer());
    return WebAssembly.compile(bytes);
  },
  startWorker(url) {
    const w = new Worker(url);
    w.unref(); // an idle pool never keeps the process alive
    return {
      post: (m) => w.postMessage(m),
      firstMessage: () => new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
      terminate: () => void w.terminate(),
    };
  },
  hardwareThreads: () => availableParallelism(),
  canShareMemory: () => true,
};
