/**
 * A worker thread of the fast backend (a Node worker_threads worker or a Web Worker). It instantiates the
 * kernels over the shared memory it is sent, answers 'ready', then claims parts of every task dispatched
 * through the control block until told to exit. It waits by spinning briefly (tasks come in bursts, one per
 * kernel call of a training step), then sleeping on the generation slot.
 */
import { KERNEL_IMPORTS, type Kernels } from './kernels.js';
import { isNode } from './platform.js';
import { Slot, Task, controlAt, runParts } from './tasks.js';

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
  /** This worker's thread index: 1, 2, ... (the calling thread is 0); picks its scratch memory. */
  index: number;
  /** Loads of the generation slot before sleeping. */
  spin: number;
}

interface Port {
  post(m: unknown): void;
}

async function port(onInit: (init: WorkerInit, p: Port) => void): Promise<void> {
  if (isNode()) {
    const { parentPort } = await import('node:worker_threads');
    parentPort!.once('message', (m: WorkerInit) => onInit(m, { post: (x) => parentPort!.postMessage(x) }));
  } else {
    const self = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
    self.onmessage = (e) => {
      self.onmessage = null;
      onInit(e.data as WorkerInit, { post: (x) => self.postMessage(x) });
    };
  }
}

async function serve(init: WorkerInit, p: Port): Promise<void> {
  const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory }, ...KERNEL_IMPORTS });
  const kernels = instance.exports as unknown as Kernels;
  const control = controlAt(init.memory, init.control);
  const { i32 } = control;
  let seen = Atomics.load(i32, Slot.generation);
  p.post('ready');
  for (;;) {
    let g = Atomics.load(i32, Slot.generation);
    for (let s = 0; g === seen && s < init.spin; s++) g = Atomics.load(i32, Slot.generation);
    if (g === seen) {
      Atomics.add(i32, Slot.sleepers, 1);
      Atomics.wait(i32, Slot.generation, seen);
      Atomics.sub(i32, Slot.sleepers, 1);
      continue;
    }
    seen = g;
    if (i32[Slot.task] === Task.exit) break;
    runParts(kernels, control, init.index);
    // The caller sets callerSleeps before it waits on done (and waits only if done is unchanged), so a
    // finished part is never missed; otherwise it is spinning and needs no wake-up.
    if (Atomics.load(i32, Slot.callerSleeps) !== 0) Atomics.notify(i32, Slot.done);
  }
}

void port((init, p) => void serve(init, p));
