/**
 * One call's examples for the per-example kernels, written after the description in a writer's scratch block:
 * their images' indices and labels, room for the losses and counts the kernel writes, and where the kernel reads
 * the images (the set's copy in memory with its cached lists of nonzero pixels, or, when the cache is full, the
 * call's images staged one after another) with the pixel table. Every per-example writer stages its calls so.
 */
import type { PerExampleBatch } from '../per-example.js';
import type { FloatArray } from '../backend.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels.js';
import type { ImageSource } from './per-example-desc.js';

const align = (n: number) => (n + 15) & ~15;

/** What the per-example writers need of the backend: its kernels and heap, buffers' addresses, and the images. */
export interface PerExampleParts {
  kernels: Kernels;
  heap: Heap;
  /** The address of a buffer of the heap with at least count elements (throws on any other). */
  ptr(view: Readonly<FloatArray>, count: number, what: string): number;
  /** The same for a float64 view into a buffer of the heap (row steps, power tables). */
  f64Ptr(view: Readonly<Float64Array>, count: number, what: string): number;
  /** The address of the image set's copy in memory, or -1 when it is not copied (the cache is full). */
  imagesInMemory(images: Readonly<Uint8Array>): number;
  /** The image set's lists of nonzero pixels (assembly/nonzero-lists.ts) for images of cols bytes, or null. */
  imageLists?(images: Readonly<Uint8Array>, cols: number): { starts: number; entries: number } | null;
  /** The address of the pixel table (f32[256]: byte / divisor) for this divisor. */
  pixelTable(divisor: number): number;
  /** Whether the table pixelTable last filled is byte / divisor in float32 (a division in lanes is the same). */
  pixelTableIsDivision?(): boolean;
}

/** A staged call: the scratch block's address, its arrays' addresses, and the description's image source. */
export interface StagedCall {
  base: number;
  idx: number;
  labels: number;
  losses: number;
  correct: number;
  src: ImageSource;
}

/**
 * Stages examples [from, from + n) of batch (images of cols bytes) after the `fixed` bytes of description, in the
 * block scratch(bytes) returns (it may move: addresses are taken after it).
 */
export function stageCall(parts: PerExampleParts, scratch: (bytes: number) => number, fixed: number, batch: PerExampleBatch, from: number, n: number, cols: number): StagedCall {
  const { heap } = parts;
  let images = parts.imagesInMemory(batch.images);
  // Not copied (the cache is full): this call's images are staged one after another.
  const staged = images < 0;
  // The set's cached lists of nonzero pixels (before any view of memory is made: making them may grow it),
  // when it is copied and the table maps byte 0 to 0 (it does for every divisor).
  const table = parts.pixelTable(batch.divisor);
  const lists = !staged && parts.imageLists && new Float32Array(heap.memory.buffer, table, 1)[0] === 0 ? parts.imageLists(batch.images, cols) : null;
  const idxAt = fixed, labelsAt = idxAt + align(4 * n), lossesAt = labelsAt + align(n), correctAt = lossesAt + align(8 * n);
  const stageAt = correctAt + align(n);
  const base = scratch(stageAt + (staged ? n * cols : 0));
  const buf = heap.memory.buffer;
  const idx = new Int32Array(buf, base + idxAt, n);
  const start = batch.start + from;
  if (staged) {
    images = base + stageAt;
    const stage = new Uint8Array(buf, images, n * cols);
    for (let r = 0; r < n; r++) {
      const src = batch.idx[start + r]! * cols;
      stage.set(batch.images.subarray(src, src + cols), r * cols);
      idx[r] = r;
    }
  } else {
    idx.set(batch.idx.subarray(start, start + n));
  }
  new Uint8Array(buf, base + labelsAt, n).set(batch.labels.subarray(from, from + n));
  // With the lists, a table that is byte / divisor in float32 lets the kernels divide in lanes.
  const divisor = lists && parts.pixelTableIsDivision?.() ? { divisor: batch.divisor } : {};
  return { base, idx: base + idxAt, labels: base + labelsAt, losses: base + lossesAt, correct: base + correctAt, src: { images, table, lists, ...divisor } };
}

/** The kernel's losses and counts of a call that applied `ran` of its n steps, into batch from example `from`. */
export function readResults(heap: Heap, call: StagedCall, batch: PerExampleBatch, from: number, n: number, ran: number): void {
  const got = Math.min(ran + 1, n);
  batch.losses.set(new Float64Array(heap.memory.buffer, call.losses, got), from);
  batch.correct.set(new Uint8Array(heap.memory.buffer, call.correct, got), from);
}
