/**
 * The calling thread's side of the worker threads: start them, dispatch a task (the arguments are already
 * in the control block), do part 0, wait for the rest. Every worker answers every task, so the next task
 * is never written while one is still reading the last.
 */
import type { Kernels } from './kernels.js';
import type { Platform, WorkerHandle } from './platform.js';
import { Slot, Task, runPart, type Control } from './tasks.js';
import type { WorkerInit } from './worker.js';

/** Loads of a slot before sleeping on it (~0.1 ms): a training step's kernels come close together. */
const SPIN = 1 << 17;

export class Pool {
  private canWait = true;

  private constructor(
    private readonly control: Control,
    private readonly workers: WorkerHandle[],
  ) {}

  /** Starts threads - 1 workers sharing `memory`; resolves once all are ready. */
  static async start(platform: Platform, module: WebAssembly.Module, memory: WebAssembly.Memory, control: Control, controlPtr: number, threads: number): Promise<Pool> {
    const url = new URL('./worker.js', import.meta.url);
    const workers: WorkerHandle[] = [];
    for (let index = 1; index < threads; index++) workers.push(platform.startWorker(url));
    try {
      await Promise.all(workers.map((w, i) => {
        const ready = w.firstMessage();
        const init: WorkerInit = { module, memory, control: controlPtr, index: i + 1, spin: SPIN };
        w.post(init);
        return ready;
      }));
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new Pool(control, workers);
  }

  /** Threads including the caller. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs the task in the control block on `parts` threads (1 <= parts <= threads); part 0 here. */
  run(kernels: Kernels, parts: number): void {
    const { i32 } = this.control;
    i32[Slot.parts] = parts;
    if (parts === 1) {
      runPart(kernels, this.control, 0);
      return;
    }
    Atomics.store(i32, Slot.done, 0);
    Atomics.add(i32, Slot.generation, 1);
    Atomics.notify(i32, Slot.generation);
    runPart(kernels, this.control, 0);
    this.waitForWorkers();
  }

  private waitForWorkers(): void {
    const { i32 } = this.control;
    const want = this.workers.length;
    for (;;) {
      let done = Atomics.load(i32, Slot.done);
      for (let s = 0; done !== want && s < SPIN; s++) done = Atomics.load(i32, Slot.done);
      if (done === want) return;
      if (this.canWait) {
        try {
          Atomics.wait(i32, Slot.done, done, 10);
        } catch {
          this.canWait = false; // a browser's main thread may not block; keep spinning
        }
      }
    }
  }

  /** Stops the workers. */
  close(): void {
    const { i32 } = this.control;
    i32[Slot.task] = Task.exit;
    Atomics.add(i32, Slot.generation, 1);
    Atomics.notify(i32, Slot.generation);
    for (const w of this.workers) w.terminate();
  }
}
