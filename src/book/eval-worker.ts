/**
 * The book's test thread (a Node worker_threads worker or a Web Worker): it instantiates the book's module
 * over the shared memory it is sent, answers 'ready', then runs each test pass asked for in the control block
 * (eval-thread.ts) until the process ends. It sleeps on the request slot between passes (they come ten
 * iterations apart).
 */
import { isNode } from '../backend/wasm/platform.js';
import { Ctl, testChunks, type TestKernels, type TestWorkerInit } from './eval-thread.js';

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
    const args = {
      parts: a(Ctl.parts), w01: a(Ctl.w01), w12: a(Ctl.w12), hp: a(Ctl.hp), starts: a(Ctl.starts), rows: a(Ctl.rows), vals: a(Ctl.vals),
      labels: a(Ctl.labels), from: a(Ctl.from), to: a(Ctl.to), chunk: a(Ctl.chunk), scratch: a(Ctl.scratch),
    };
    i32[Ctl.correct] = a(Ctl.mode) === 1
      ? testChunks(k, args, () => Atomics.add(i32, Ctl.next, 1))
      : k.testPart(args.parts, args.w01, args.w12, args.hp, args.starts, args.rows, args.vals, args.labels, args.from, args.to, args.chunk, args.scratch);
    Atomics.store(i32, Ctl.done, seen);
    Atomics.notify(i32, Ctl.done);
  }
}

void port((init, post) => void serve(init, post));
