/**
 * The calling thread's side of the worker threads: start them, dispatch a task (the arguments are already
 * in the control block), claim parts alongside the workers, wait for parts claimed by others to finish,
 * then close the part counter so that the next task's arguments can be written safely.
 */
import type { Kernels } from './kernels.js';
import type { Platform, WorkerHandle } from './platform.js';
import { CLOSED, Slot, Task, runPart, runParts, type Control } from './tasks.js';
import type { WorkerInit } from './worker.js';

/** Loads of a slot before sleeping on it (~0.6 ms): a training step's kernels come close together. */
const SPIN = 1 << 16;
/**
 * Waking sleeping workers. A worker spins between a step's kernels, so at a dispatch it is asleep only after a
 * pause, or when the machine is busy (another program on a core): then its thread shares a core with the calling
 * thread, and waking it at every kernel (thousands a second) made a W1 epoch slower than on one thread (measured
 * with one busy core: 0.73 s on two threads, 0.44 s on one; 0.25 s on an idle machine). So a sleeping worker is
 * woken at most every `wakeInterval` ms: WAKE_MIN_MS, doubled (up to WAKE_MAX_MS) each time a worker is found
 * asleep again within twice that interval, back to WAKE_MIN_MS when the workers stayed awake a whole interval.
 * In between, the calling thread runs the parts alone (the results are the same).
 */
const WAKE_MIN_MS = 1;
const WAKE_MAX_MS = 128;
/**
 * Running alone for a while. On a busy machine a worker is also descheduled in the middle of a part it claimed, and
 * the calling thread waits for it, a scheduler's time slice (milliseconds) for a part of microseconds. When it has waited a
 * whole spin (SPIN loads) for the others' parts, it runs the next tasks' parts alone for `soloSpan` ms: SOLO_MIN_MS,
 * doubled (up to SOLO_MAX_MS) when it has to wait so again within twice that span after the last time, else back
 * to SOLO_MIN_MS. Meanwhile the workers find nothing to claim and go to sleep.
 */
const SOLO_MIN_MS = 2;
const SOLO_MAX_MS = 256;

export class Pool {
  private canWait = true;
  /** When sleeping workers were last woken (performance.now()), and the least time to the next wake-up. */
  private lastWake = -Infinity;
  private wakeInterval = WAKE_MIN_MS;
  /** Tasks run on the calling thread alone until this time (performance.now(); 0: not alone); see SOLO_MIN_MS. */
  private soloUntil = 0;
  private soloSpan = SOLO_MIN_MS;
  private lastLongWait = -Infinity;

  private constructor(
    private readonly control: Control,
    private readonly workers: WorkerHandle[],
  ) {}

  /** Starts threads - 1 workers sharing `memory`; resolves once all are ready. */
  static async start(platform: Platform, module: WebAssembly.Module, memory: WebAssembly.Memory, control: Control, controlPtr: number, threads: number): Promise<Pool> {
    Atomics.store(control.i32, Slot.next, CLOSED);
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

  /** Runs the task in the control block, cut into `parts` parts, with whichever workers are awake. */
  run(kernels: Kernels, parts: number): void {
    const { i32 } = this.control;
    i32[Slot.parts] = parts;
    if (this.soloUntil !== 0) {
      if (parts > 1 && performance.now() < this.soloUntil) {
        // Alone: the part counter stays closed, so a worker that wakes claims nothing; the same parts.
        for (let part = 0; part < parts; part++) runPart(kernels, this.control, part, 0);
        return;
      }
      if (parts > 1) this.soloUntil = 0;
    }
    Atomics.store(i32, Slot.done, 0);
    Atomics.store(i32, Slot.next, parts); // publishes the task: parts can be claimed from here on
    if (parts > 1) {
      Atomics.add(i32, Slot.generation, 1);
      // A worker counts itself in sleepers before it waits on generation, so either it sees the new generation
      // and does not sleep, or this load sees it and wakes it (all these atomics are sequentially consistent).
      // Sleepers are woken at most every wakeInterval ms (see WAKE_MIN_MS); a worker not woken claims nothing.
      if (Atomics.load(i32, Slot.sleepers) !== 0) {
        const now = performance.now();
        const since = now - this.lastWake;
        if (since >= this.wakeInterval) {
          // Asleep again soon after the last wake-up: the machine is busy, wait longer next time.
          this.wakeInterval = since < 2 * this.wakeInterval ? Math.min(2 * this.wakeInterval, WAKE_MAX_MS) : WAKE_MIN_MS;
          this.lastWake = now;
          Atomics.notify(i32, Slot.generation);
        }
      } else if (this.wakeInterval !== WAKE_MIN_MS && performance.now() - this.lastWake >= this.wakeInterval) {
        this.wakeInterval = WAKE_MIN_MS; // awake for a whole interval since it was woken: the machine is idle again
      }
    }
    runParts(kernels, this.control, 0);
    const waited = this.waitForParts(parts);
    Atomics.store(i32, Slot.next, CLOSED);
    if (waited) {
      const now = performance.now();
      this.soloSpan = now - this.lastLongWait < 2 * this.soloSpan ? Math.min(2 * this.soloSpan, SOLO_MAX_MS) : SOLO_MIN_MS;
      this.lastLongWait = now;
      this.soloUntil = now + this.soloSpan;
    }
  }

  /** Waits until `want` parts are done; true when that took more than one spin (another thread was descheduled). */
  private waitForParts(want: number): boolean {
    const { i32 } = this.control;
    for (let round = 0; ; round++) {
      let done = Atomics.load(i32, Slot.done);
      for (let s = 0; done !== want && s < SPIN; s++) done = Atomics.load(i32, Slot.done);
      if (done === want) return round > 0;
      if (this.canWait) {
        Atomics.store(i32, Slot.callerSleeps, 1);
        try {
          Atomics.wait(i32, Slot.done, done, 10);
        } catch {
          this.canWait = false; // a browser's main thread may not block; keep spinning
        } finally {
          Atomics.store(i32, Slot.callerSleeps, 0);
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
