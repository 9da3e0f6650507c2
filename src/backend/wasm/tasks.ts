/**
 * The kernels that threads share, and how each is split. The calling thread writes a task and its
 * arguments into a small control block in shared memory, cut into a fixed number of parts; every thread
 * that is running claims parts from a counter until none are left (so a worker the OS has descheduled
 * delays nobody: the others take its share). A part never changes any output element's arithmetic, only
 * who computes it, so results are bit-identical for every thread count and every interleaving.
 */
import type { Kernels } from './kernels.js';

export const Task = {
  exit: -1,
  matmulNN: 1,
  matmulTN: 2,
  sgdStep: 3,
  bytesToFloats: 4,
  denseSgdStep: 5,
  bytesDivided: 6,
  gatherPixels: 7,
  softmaxCrossEntropy: 8,
  adamStep: 9,
} as const;

/** Int32 slots of the control block. */
export const Slot = {
  /** Bumped once per dispatched task; workers wait on it. */
  generation: 0,
  /** Parts finished. */
  done: 1,
  task: 2,
  parts: 3,
  /**
   * Parts left to claim: a claim takes one off and runs part (the value it took off - 1), so parts are claimed last
   * first. CLOSED (0) or less between tasks, so that a late worker claims nothing.
   */
  next: 13,
  /** Integer arguments from here on (9 of them, slots 4 to 12). */
  args: 4,
  /** Workers asleep (or about to be) on generation: a dispatch wakes them only when this is not 0. */
  sleepers: 14,
  /** 1 while the calling thread sleeps (or is about to) on done: a worker wakes it only then. */
  callerSleeps: 15,
} as const;

/** The control block: 16 int32 slots, then 4 float64 arguments. */
export const CONTROL_BYTES = 96;
export const CLOSED = 0;
export const F64_ARGS_OFFSET = 64;

export interface Control {
  i32: Int32Array;
  f64: Float64Array;
  /** The memory itself: tasks in JavaScript make views of its current buffer (it grows). */
  memory: WebAssembly.Memory;
}

export function controlAt(memory: WebAssembly.Memory, ptr: number): Control {
  const buffer = memory.buffer;
  return { i32: new Int32Array(buffer, ptr, 16), f64: new Float64Array(buffer, ptr + F64_ARGS_OFFSET, 4), memory };
}

/** Rows matmulNN compresses and sums together (GROUP in assembly/matmul.ts): its parts are made of whole groups. */
export const NN_ROW_GROUP = 8;

/** The start of part `part` of `parts` over [0, total), rounded down to a multiple of `align`. */
export function partStart(total: number, part: number, parts: number, align: number): number {
  if (part >= parts) return total;
  return Math.floor((Math.floor(total / align) * part) / parts) * align;
}

/**
 * Claims and runs parts of the current task until none are left; `thread` picks the scratch block. Whether a claim
 * is valid is told by the counter alone, never by the part count: a worker comparing its claim with the count
 * after the task's last part was done could read the next task's count (written, bigger, before that task is
 * published) and run a part of it too early, and that part twice.
 */
export function runParts(k: Kernels, control: Control, thread: number): void {
  const { i32 } = control;
  for (;;) {
    const left = Atomics.sub(i32, Slot.next, 1);
    if (left <= 0) return;
    runPart(k, control, left - 1, thread);
    Atomics.add(i32, Slot.done, 1);
  }
}

/** Runs part `part` of the task in the control block. */
export function runPart(k: Kernels, { i32, f64, memory }: Control, part: number, thread: number): void {
  const parts = i32[Slot.parts]!;
  const a = Slot.args;
  switch (i32[Slot.task]) {
    case Task.matmulNN:
    case Task.matmulTN: {
      // out, a, b, m, k, n, accumulate, scratch (one block of scratchStride bytes per part). matmulNN's parts are
      // whole groups of its rows (NN_ROW_GROUP), which it compresses and sums together.
      const m = i32[a + 3]!;
      const align = i32[Slot.task] === Task.matmulNN ? NN_ROW_GROUP : 1;
      const r0 = partStart(m, part, parts, align);
      const r1 = partStart(m, part + 1, parts, align);
      const scratch = i32[a + 7]! + thread * i32[a + 8]!;
      const kernel = i32[Slot.task] === Task.matmulNN ? k.matmulNN : k.matmulTN;
      kernel(i32[a]!, i32[a + 1]!, i32[a + 2]!, m, i32[a + 4]!, i32[a + 5]!, i32[a + 6]!, r0, r1, scratch);
      break;
    }
    case Task.denseSgdStep: {
      // w, x, dy, m, k, n, scratch, scratch stride; lr. Parts are whole blocks of four rows (the kernel's blocks).
      const m = i32[a + 3]!;
      const r0 = partStart(m, part, parts, 4);
      const r1 = partStart(m, part + 1, parts, 4);
      const scratch = i32[a + 6]! + thread * i32[a + 7]!;
      k.denseSgdStep(i32[a]!, i32[a + 1]!, i32[a + 2]!, m, i32[a + 4]!, i32[a + 5]!, f64[0]!, r0, r1, scratch);
      break;
    }
    case Task.sgdStep: {
      // w, g, velocity, n; lr, momentum, l2
      const n = i32[a + 3]!;
      k.sgdStep(i32[a]!, i32[a + 1]!, i32[a + 2]!, f64[0]!, f64[1]!, f64[2]!, partStart(n, part, parts, 4), partStart(n, part + 1, parts, 4));
      break;
    }
    case Task.adamStep: {
      // w, m, v, g, n, scalars (f64[6]: stepSize, bc2Sqrt, beta1, beta2, eps, l2)
      const n = i32[a + 4]!;
      const c = new Float64Array(memory.buffer, i32[a + 5]!, 6);
      k.adamStep(i32[a]!, i32[a + 1]!, i32[a + 2]!, i32[a + 3]!, c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, partStart(n, part, parts, 4), partStart(n, part + 1, parts, 4));
      break;
    }
    case Task.bytesToFloats: {
      // out, bytes, table, n
      const n = i32[a + 3]!;
      k.bytesToFloats(i32[a]!, i32[a + 1]!, i32[a + 2]!, partStart(n, part, parts, 16), partStart(n, part + 1, parts, 16));
      break;
    }
    case Task.bytesDivided: {
      // out, bytes, n; divisor
      const n = i32[a + 2]!;
      k.bytesDivided(i32[a]!, i32[a + 1]!, f64[0]!, partStart(n, part, parts, 16), partStart(n, part + 1, parts, 16));
      break;
    }
    case Task.gatherPixels: {
      // out, images, idx, cols, rows, table; divisor
      const rows = i32[a + 4]!;
      k.gatherPixels(i32[a]!, i32[a + 1]!, i32[a + 2]!, i32[a + 3]!, f64[0]!, i32[a + 5]!, partStart(rows, part, parts, 1), partStart(rows, part + 1, parts, 1));
      break;
    }
    case Task.softmaxCrossEntropy: {
      // dLogits (0: none), logits, labels, rows, cols, rowLoss; gradScale. The reference's arithmetic in the
      // module (assembly/softmax.ts) on this part's rows, each row's loss term left for the caller to sum.
      const rows = i32[a + 3]!;
      k.softmaxCrossEntropyRows(i32[a]!, i32[a + 1]!, i32[a + 2]!, partStart(rows, part, parts, 1), partStart(rows, part + 1, parts, 1), i32[a + 4]!, rows, f64[0]!, i32[a + 5]!);
      break;
    }
    default:
      throw new Error(`wasm backend: unknown task ${i32[Slot.task]}`);
  }
}
