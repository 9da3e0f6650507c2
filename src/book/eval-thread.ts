/**
 * The calling thread's side of the book's test thread (eval-worker.ts): one worker over the module's shared
 * memory that runs testPart (assembly/book.ts) on a range of the test images when asked through a small
 * control block, so that a test pass can run beside the training (on a copy of the weights) or be split
 * between the two threads. The worker is started in the background: until it has answered, ready is false
 * and the caller tests on its own thread.
 */
import type { Platform, WorkerHandle } from '../backend/wasm/platform.js';

/** The control block's i32 slots: a request's arguments, its generation and the worker's answer. */
export const Ctl = {
  request: 0,
  done: 1,
  correct: 2,
  parts: 3,
  w01: 4,
  w12: 5,
  hp: 6,
  starts: 7,
  rows: 8,
  vals: 9,
  labels: 10,
  from: 11,
  to: 12,
  chunk: 13,
  scratch: 14,
  /** 0: testPart on [from, to); 1: the chunks of [from, to), each taken from the counter at next (testChunks). */
  mode: 15,
  next: 16,
  words: 17,
} as const;
export type Ctl = (typeof Ctl)[keyof typeof Ctl];

export const CONTROL_BYTES = Ctl.words * 4;

export interface TestKernels {
  testPart(
    parts: number, w01: number, w12: number, hp: number, starts: number, rows: number, vals: number, labels: number,
    from: number, to: number, chunk: number, scratch: number,
  ): number;
}

export interface TestWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
}

/** testPart's arguments, pointers into the shared memory. */
export interface TestPartArgs {
  parts: number;
  w01: number;
  w12: number;
  hp: number;
  starts: number;
  /** The images' nonzero pixels as the byte offsets of their W01 rows (assembly/book.ts). */
  rows: number;
  vals: number;
  labels: number;
  from: number;
  to: number;
  chunk: number;
  scratch: number;
}

/**
 * The chunks of [from, to) (chunk images each, the last one short) claimed one by one from claim() until none
 * is left: chunk c's error to parts[c] (testPart on it alone); returns the count correct of the chunks taken.
 */
export function testChunks(k: TestKernels, a: Readonly<TestPartArgs>, claim: () => number): number {
  const n = Math.ceil((a.to - a.from) / a.chunk);
  let correct = 0;
  for (let c = claim(); c < n; c = claim()) {
    const from = a.from + c * a.chunk;
    correct += k.testPart(a.parts + 8 * c, a.w01, a.w12, a.hp, a.starts, a.rows, a.vals, a.labels, from, Math.min(a.to, from + a.chunk), a.chunk, a.scratch);
  }
  return correct;
}

export class TestThread {
  /** The worker has answered and takes requests. */
  ready = false;
  private generation = 0;
  private canWait = true;
  private readonly i32: Int32Array;

  private worker: WorkerHandle | null = null;

  private constructor(memory: WebAssembly.Memory, control: number) {
    this.i32 = new Int32Array(memory.buffer, control, Ctl.words);
  }

  /** Starts the worker (not waiting for it); null when it cannot start. */
  static start(platform: Platform, module: WebAssembly.Module, memory: WebAssembly.Memory, control: number): TestThread | null {
    let worker: WorkerHandle;
    try {
      worker = platform.startWorker(new URL('./eval-worker.js', import.meta.url));
    } catch {
      return null;
    }
    const t = new TestThread(memory, control);
    t.worker = worker;
    worker.firstMessage().then(
      () => (t.ready = true),
      () => worker.terminate(), // never ready: the caller keeps testing on its own thread
    );
    const init: TestWorkerInit = { module, memory, control };
    worker.post(init);
    return t;
  }

  /** Ends the worker (after its last request). */
  stop(): void {
    if (this.ready) this.wait();
    this.ready = false;
    this.worker?.terminate();
    this.worker = null;
  }

  /** Whether the last request is done (or there was none). */
  idle(): boolean {
    return Atomics.load(this.i32, Ctl.done) === this.generation;
  }

  /** Asks for testPart(args) (the previous request must be done); returns at once. */
  run(args: Readonly<TestPartArgs>): void {
    this.request(args, 0);
  }

  /**
   * Asks for the chunks of args' range, each claimed from a counter that the caller claims from too (claim()),
   * so that a busy thread takes fewer: chunk c's error goes to parts[c]; wait() gives the thread's count correct.
   */
  runChunks(args: Readonly<TestPartArgs>): void {
    Atomics.store(this.i32, Ctl.next, 0);
    this.request(args, 1);
  }

  /** The next chunk of the runChunks request under way (on the calling thread: it is this thread's to test). */
  claim(): number {
    return Atomics.add(this.i32, Ctl.next, 1);
  }

  private request(args: Readonly<TestPartArgs>, mode: number): void {
    if (!this.ready || !this.idle()) throw new Error('the test thread is not free');
    const { i32 } = this;
    for (const [name, v] of Object.entries(args) as Array<[keyof TestPartArgs, number]>) i32[Ctl[name]] = v;
    i32[Ctl.mode] = mode;
    this.generation = (this.generation + 1) | 0;
    Atomics.store(i32, Ctl.request, this.generation);
    Atomics.notify(i32, Ctl.request);
  }

  /** Waits for the last request: its count correct. */
  wait(): number {
    const { i32 } = this;
    for (;;) {
      const done = Atomics.load(i32, Ctl.done);
      if (done === this.generation) return i32[Ctl.correct]!;
      if (this.canWait) {
        try {
          Atomics.wait(i32, Ctl.done, done, 50);
        } catch {
          this.canWait = false; // a browser's main thread may not block; spin
        }
      }
    }
  }
}
