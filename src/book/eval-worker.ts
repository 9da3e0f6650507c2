/**
 * The book's test thread (a Node worker_threads worker or a Web Worker): it instantiates the book's module
 * over the shared memory it is sent, answers 'ready', then runs each test pass asked for in the control block
 * (eval-thread.ts) until the process ends. It sleeps on the request slot between passes (they come ten
 * iterations apart).
 */
import { isNode } from '../backend/wasm/platform.js';
import { Ctl, type TestKernels, type TestWorkerInit } from './eval-thread.js';

async function port(onInit: (init: TestWorkerInit, post: (m: unknown) => void) => void): Promise<void> {
  if (isNode()) {
    const { parentPort } = await import('node:worker_threads');
    parentPort!.once('message', (m: TestWorkerInit) => onInit(m, (x) => parentPort!.postMessage(x)));
  } else {
    const self = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
    self.onmessage = (e) => {
      self.onmessage = null;
      onInit(e.data as TestWorkerInit, (x) => self.postMessage(x));
    };
  }
}

async function serve(init: TestWorkerInit, post: (m: unknown) => void): Promise<void> {
  const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
  const k = instance.exports as unknown as TestKernels;
  const i32 = new Int32Array(init.memory.buffer, init.control, Ctl.words);
  let seen = Atomics.load(i32, Ctl.request);
  post('ready');
  for (;;) {
    Atomics.wait(i32, Ctl.request, seen);
    seen = Atomics.load(i32, Ctl.request);
    const a = (slot: Ctl) => i32[slot]!;
    i32[Ctl.correct] = k.testPart(a(Ctl.parts), a(Ctl.w01), a(Ctl.w12), a(Ctl.hp), a(Ctl.starts), a(Ctl.offs), a(Ctl.vals), a(Ctl.labels), a(Ctl.from), a(Ctl.to), a(Ctl.chunk), a(Ctl.scratch));
    Atomics.store(i32, Ctl.done, seen);
    Atomics.notify(i32, Ctl.done);
  }
}

void port((init, post) => void serve(init, post));
