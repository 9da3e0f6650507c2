/**
 * The fast backend: float32 kernels in WebAssembly SIMD (assembly/), buffers in the module's memory, big
 * products and updates split over worker threads. Same signatures and semantics as the reference backend.
 * It implements the hot kernels; the others (the small row kernels on [rows, classes] buffers: softmax,
 * squared error, counting correct rows; the rarely used sigmoid and tanh) are left out, so they are the
 * reference's own JavaScript on the same buffers (withReferenceKernels), which keeps them exactly equal.
 * Softmax cross-entropy (7% of a W1 epoch on one thread) is the reference's JavaScript too, run on both
 * threads for big batches.
 *
 * Exactness: element-wise kernels and the SGD step round exactly as the reference does. Products and row
 * sums accumulate in float32 (the reference in float64), optionally with fused multiply-adds, so they agree
 * to float32 rounding. Zero-skipping in products is exact for finite operands. The per-example step
 * (perExampleSgd, per-example.ts) takes plain SGD's weight and bias steps in float32 (fl32(w - fl32(x *
 * fl32(lr * d)))), not the SGD kernel's float64 step rounded once: within 1e-6 per weight over an epoch of
 * MNIST.
 */
import { asBuffer, type Backend, type BackendKernels, type FloatArray } from '../backend.js';
import { adamFactors, refBackend, withReferenceKernels } from '../ref.js';
import { MT_KEY_WORDS } from '../../rng/mt19937.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels.js';
import type { Pool } from './pool.js';
import { wasmPerExample } from './per-example.js';
import { NN_ROW_GROUP, Slot, Task, runPart, type Control } from './tasks.js';

/**
 * Multiply-adds below which a product runs on one thread: waking a worker costs microseconds on an idle
 * machine and much more on a busy one. Products are cut into a few parts per thread, claimed dynamically.
 * W1's hidden-to-output products (100 x 100 x 10 = 100,000) are split (about 5% of a W1 epoch); the
 * chapter's batch-1 first-layer step (784 x 1 x 100 = 78,400, mostly skipped zeros) is not.
 */
const PARALLEL_MACS = 96 * 1024;
const PARTS_PER_THREAD = 4;
/** Elements below which an update or a gather runs on one thread (they are memory-bound and cheap). */
const PARALLEL_ELEMENTS = 1 << 18;
/**
 * Elements below which an Adam step runs on one thread: it is bound by its divisions and square roots
 * (about 4 ns an element), so MNIST's 78,400 first-layer weights are worth splitting, the rest are not.
 */
const PARALLEL_ADAM = 1 << 15;
/**
 * Pixels below which a gather converts on one thread: converting is a division per nonzero pixel (about
 * 35 us for W1's batch of 100 on one thread), worth splitting at a batch of a few dozen images.
 */
const PARALLEL_PIXELS = 1 << 15;
/** Bytes of image sets the backend copies into its memory (full MNIST is 55 MB); a quarter of a fixed memory. */
const IMAGE_CACHE_BYTES = 128 * 2 ** 20;
/** Logits below which softmax cross-entropy runs on the calling thread (W1's batch: 100 x 10 is split). */
const PARALLEL_SOFTMAX = 512;

export interface WasmBackendParts {
  kernels: Kernels;
  heap: Heap;
  control: Control;
  pool: Pool | null;
  /** What the kernels were compiled for: 'simd' or 'relaxed-simd' (fused multiply-add). */
  simd: 'simd' | 'relaxed-simd';
  /** Bytes of image sets gatherRows may copy into memory (default: 128 MB, a quarter of a fixed memory). */
  imageCacheBytes?: number;
}

export interface WasmBackend extends Backend {
  readonly threads: number;
  readonly simd: 'simd' | 'relaxed-simd';
  /** Bytes of memory handed out and not given back (buffers, scratch, copies of image sets). */
  readonly bytesInUse: number;
  /** Bytes of memory ever handed out: the heap's high-water mark (given-back blocks are handed out again). */
  readonly heapBytes: number;
  /** Stops the worker threads (the backend then runs on the calling thread only). */
  close(): void;
}

type View = Readonly<FloatArray> | Readonly<Uint8Array>;

export function wasmBackend({ kernels: k, heap, control, pool: initialPool, simd, imageCacheBytes: cacheOption }: WasmBackendParts): WasmBackend {
  const js = refBackend('float32');
  const { i32, f64 } = control;
  let pool = initialPool;
  const threads = () => pool?.threads ?? 1;
  /** Runs the task in the control block in `parts` parts (on the workers too, when there are any). */
  const run = (parts: number): void => {
    if (pool && parts > 1) return pool.run(k, parts);
    // Alone: the part counter stays closed, so a worker that wakes late claims nothing.
    i32[Slot.parts] = 1;
    runPart(k, control, 0, 0);
  };
  const ptr = (v: View, count: number, what: string) => heap.ptr(v as ArrayBufferView & ArrayLike<number>, count, what);

  // Scratch grown on demand: per-thread nonzero lists, a transposed operand, staged pixels, a batch's row
  // indices, labels and loss terms. Each is one block that is given back to the heap when a bigger one
  // replaces it, so scratch holds at most one block of each, sized for the largest call so far.
  /** `current` if it holds n elements, else a new block of `grown` elements (current given back). */
  const atLeast = <T extends Uint8Array | Int32Array | Float32Array | Float64Array>(current: T, n: number, grown: number, make: (n: number) => T): T => {
    if (current.length >= n) return current;
    heap.release(current, 'wasm backend scratch');
    return make(grown);
  };
  let scratch: Uint8Array = heap.u8(0);
  let scratchStride = 0;
  /** One block of at least `need` bytes per thread; returns the first's address. */
  const scratchPerThread = (need: number): number => {
    if (need > scratchStride) {
      scratchStride = (need + 15) & ~15;
      const bytes = scratchStride * Math.max(threads(), 1);
      scratch = atLeast(scratch, bytes, bytes, (n) => heap.u8(n));
    }
    return scratch.byteOffset;
  };
  let transposed: Float32Array = heap.f32(0);
  const transposedBuffer = (n: number): Float32Array => (transposed = atLeast(transposed, n, n, (n) => heap.f32(n)));
  let staged: Uint8Array = heap.u8(0);
  let rowIndices: Int32Array = heap.i32(0);
  let rowLabels: Uint8Array = heap.u8(0);
  let rowLoss: Float64Array = heap.f64(0);
  // The lazy steps' row lists and coefficients (copied in: a few hundred entries a step).
  let rowList: Int32Array = heap.i32(0);
  let rowCoef: Float64Array = heap.f64(0);
  // adamStep's scalars when it is split over the threads.
  let adamScalars: Float64Array = heap.f64(0);
  // Grown to the matrix's row count at once (a list never holds more), so the heap settles after one run.
  const rowListIn = (list: Readonly<Int32Array>, count: number, matrixRows: number): number => {
    if (heap.owns(list.buffer)) return list.byteOffset;
    rowList = atLeast(rowList, count, Math.max(count, matrixRows), (n) => heap.i32(n));
    rowList.set(list.subarray(0, count));
    return rowList.byteOffset;
  };
  /**
   * Image sets copied into memory the first time a batch is gathered from them, so that batches are gathered
   * there, on all threads, with no per-row copying in JavaScript (measured: about 0.3 us a row, a tenth of a
   * W1 epoch). Like a tensor made from an array, the copy does not follow later writes into the set's bytes:
   * training sets are read-only. Keyed by the bytes' buffer and range, a view inside a copied range reuses it;
   * at most IMAGE_CACHE_BYTES are copied (kept for the backend's life), beyond that batches are staged as before.
   */
  const imageCacheBytes = cacheOption ?? (heap.shared ? IMAGE_CACHE_BYTES : Math.floor(heap.memory.buffer.byteLength / 4));
  interface ImageCopy { begin: number; end: number; ptr: number; lists?: { cols: number; starts: number; entries: number } | null }
  const imageCopies = new WeakMap<ArrayBufferLike, ImageCopy[]>();
  let imageCopyBytes = 0;
  const imagesInMemory = (images: Readonly<Uint8Array>): number => {
    if (heap.owns(images.buffer)) return images.byteOffset;
    const begin = images.byteOffset;
    const end = begin + images.length;
    let copies = imageCopies.get(images.buffer);
    const hit = copies?.find((c) => c.begin <= begin && end <= c.end);
    if (hit) return hit.ptr + (begin - hit.begin);
    if (images.length === 0 || imageCopyBytes + images.length > imageCacheBytes) return -1;
    const copy = heap.u8(images.length);
    copy.set(images);
    imageCopyBytes += images.length;
    if (!copies) imageCopies.set(images.buffer, (copies = []));
    copies.push({ begin, end, ptr: copy.byteOffset });
    return copy.byteOffset;
  };
  /**
   * The lists of nonzero pixels of a copied set's images of cols bytes (assembly/nonzero-lists.ts), made the
   * first time they are asked for and kept with the copy (counted in the cache's bytes); starts is offset to
   * the view's first image. null when the set is not copied, not whole images, or the lists do not fit.
   */
  const imageLists = (images: Readonly<Uint8Array>, cols: number): { starts: number; entries: number } | null => {
    const begin = images.byteOffset;
    const hit = imageCopies.get(images.buffer)?.find((c) => c.begin <= begin && begin + images.length <= c.end);
    if (!hit || !(cols > 0) || (begin - hit.begin) % cols !== 0 || (hit.end - hit.begin) % cols !== 0) return null;
    if (hit.lists === undefined) {
      hit.lists = null;
      const count = (hit.end - hit.begin) / cols;
      if (imageCopyBytes + 4 * (count + 1) <= imageCacheBytes) {
        const starts = heap.i32(count + 1);
        const total = k.nonzeroStarts(hit.ptr, count, cols, starts.byteOffset);
        if (imageCopyBytes + 4 * (count + 1 + total) <= imageCacheBytes) {
          const entries = heap.i32(Math.max(total, 1));
          k.nonzeroEntries(hit.ptr, count, cols, starts.byteOffset, entries.byteOffset);
          imageCopyBytes += 4 * (count + 1 + total);
          hit.lists = { cols, starts: starts.byteOffset, entries: entries.byteOffset };
        } else heap.release(starts, 'wasm backend image lists');
      }
    }
    if (!hit.lists || hit.lists.cols !== cols) return null;
    return { starts: hit.lists.starts + 4 * ((begin - hit.begin) / cols), entries: hit.lists.entries };
  };
  const pixelTable = heap.f32(256);
  /** A generator's key while the dropoutMask kernel advances it (copied in and back). */
  const mtKey = new Uint32Array(heap.memory.buffer, heap.allocBytes(4 * MT_KEY_WORDS), MT_KEY_WORDS);
  let tableDivisor = NaN;
  let divideInFloat32 = false;

  /** Fills the pixel table for divisor (when it holds another's); returns its address. */
  const setPixelTable = (divisor: number): number => {
    if (!Object.is(divisor, tableDivisor)) {
      for (let v = 0; v < 256; v++) pixelTable[v] = v / divisor; // rounds as the reference's division does
      tableDivisor = divisor;
      // A float32 division rounds as the table for most divisors (255 included): then divide in SIMD lanes.
      divideInFloat32 = Math.fround(divisor) === divisor && k.pixelTableIsDivision(pixelTable.byteOffset, divisor) === 1;
    }
    return pixelTable.byteOffset;
  };

  function setArgs(a0: number, a1: number, a2: number, a3: number, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0): void {
    const s = Slot.args;
    i32[s] = a0; i32[s + 1] = a1; i32[s + 2] = a2; i32[s + 3] = a3; i32[s + 4] = a4;
    i32[s + 5] = a5; i32[s + 6] = a6; i32[s + 7] = a7; i32[s + 8] = a8;
  }

  const backend: BackendKernels & Omit<WasmBackend, keyof Backend> = {
    name: 'wasm',
    dtype: 'float32',
    get threads() {
      return threads();
    },
    simd,
    get bytesInUse() {
      return heap.used - heap.freeBytes;
    },
    get heapBytes() {
      return heap.used;
    },
    alloc: (n) => asBuffer(heap.f32(n)),
    free: (buffer) => heap.release(buffer, 'free'),
    close() {
      pool?.close();
      pool = null;
    },

    matmul(out, a, b, m, k_, n, transA, transB, accumulate) {
      if (m <= 0 || n <= 0) return;
      const po = ptr(out, m * n, 'matmul out');
      const pa = ptr(a, m * k_, 'matmul a');
      let pb = ptr(b, k_ * n, 'matmul b');
      if (transB) {
        // b is [n,k]: products run on b^T [k,n], so that output rows stay contiguous SIMD work.
        const bt = transposedBuffer(k_ * n);
        k.transpose(bt.byteOffset, pb, n, k_);
        pb = bt.byteOffset;
      }
      // matmulNN's parts are whole groups of NN_ROW_GROUP rows: W1's batch of 100 rows is 12 parts of 8 and one of 4
      // (not 8 parts of 12 or 13 rows, each a group of 8 and a smaller one).
      const most = transA ? m : Math.ceil(m / NN_ROW_GROUP);
      const parts = m * k_ * n >= PARALLEL_MACS && threads() > 1 ? Math.min((transA ? 1 : 2) * PARTS_PER_THREAD * threads(), most) : 1;
      const need = transA ? k.matmulTNScratchBytes(k_, Math.ceil(m / parts) + 1, n) : k.matmulNNScratchBytes(k_, n);
      setArgs(po, pa, pb, m, k_, n, accumulate ? 1 : 0, scratchPerThread(need), scratchStride);
      i32[Slot.task] = transA ? Task.matmulTN : Task.matmulNN;
      run(parts);
    },

    addRowVector(x, bias, rows, cols) {
      k.addRowVector(ptr(x, rows * cols, 'addRowVector x'), ptr(bias, cols, 'addRowVector bias'), cols, 0, rows);
    },
    sumRows(out, x, rows, cols, accumulate) {
      k.sumRows(ptr(out, cols, 'sumRows out'), ptr(x, rows * cols, 'sumRows x'), rows, cols, accumulate ? 1 : 0);
    },
    relu(out, x, n) {
      k.relu(ptr(out, n, 'relu out'), ptr(x, n, 'relu x'), 0, n);
    },
    allFinite(x, n) {
      return n === 0 || k.allFinite(ptr(x, n, 'allFinite x'), n) === 1;
    },
    reluBackward(dx, dy, y, n) {
      k.reluBackward(ptr(dx, n, 'reluBackward dx'), ptr(dy, n, 'reluBackward dy'), ptr(y, n, 'reluBackward y'), 0, n);
    },
    mul(out, a, b, n) {
      k.mul(ptr(out, n, 'mul out'), ptr(a, n, 'mul a'), ptr(b, n, 'mul b'), 0, n);
    },
    softmaxCrossEntropy(dLogits, logits, labels, rows, cols, gradScale) {
      // The reference's arithmetic in the module (assembly/softmax.ts); big batches on both threads, rows split.
      // The row terms are summed here in order, as the reference sums them.
      if (rows * cols === 0) return js.softmaxCrossEntropy(dLogits, logits, labels, rows, cols, gradScale);
      const pl = ptr(logits, rows * cols, 'softmaxCrossEntropy logits');
      const pd = dLogits ? ptr(dLogits, rows * cols, 'softmaxCrossEntropy dLogits') : 0;
      if (labels.length < rows) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${rows} rows`);
      rowLabels = atLeast(rowLabels, rows, Math.max(rows, 2 * rowLabels.length), (n) => heap.u8(n));
      rowLoss = atLeast(rowLoss, rows, Math.max(rows, 2 * rowLoss.length), (n) => heap.f64(n));
      rowLabels.set(labels.subarray(0, rows));
      if (!pool || rows * cols < PARALLEL_SOFTMAX || rows < 2) {
        k.softmaxCrossEntropyRows(pd, pl, rowLabels.byteOffset, 0, rows, cols, rows, gradScale, rowLoss.byteOffset);
      } else {
        setArgs(pd, pl, rowLabels.byteOffset, rows, cols, rowLoss.byteOffset);
        f64[0] = gradScale;
        i32[Slot.task] = Task.softmaxCrossEntropy;
        run(Math.min(PARTS_PER_THREAD * threads(), rows));
      }
      let loss = 0;
      for (let r = 0; r < rows; r++) loss += rowLoss[r]!;
      return loss;
    },

    sgdStep(w, g, velocity, lr, momentum, l2, n) {
      const pv = velocity ? ptr(velocity, n, 'sgdStep velocity') : 0;
      setArgs(ptr(w, n, 'sgdStep w'), ptr(g, n, 'sgdStep g'), pv, n);
      f64[0] = lr;
      f64[1] = momentum;
      f64[2] = l2;
      i32[Slot.task] = Task.sgdStep;
      run(n >= PARALLEL_ELEMENTS ? PARTS_PER_THREAD * threads() : 1);
    },

    rowsDecay(w, v, rowList, coef, count, cols) {
      if (count <= 0) return;
      const n = w.length;
      const pw = ptr(w, n, 'rowsDecay w');
      const pv = v ? ptr(v, n, 'rowsDecay v') : 0;
      const pl = rowListIn(rowList, count, Math.floor(n / cols));
      if (!heap.owns(coef.buffer)) {
        rowCoef = atLeast(rowCoef, 4 * count, 4 * Math.max(count, Math.floor(n / cols)), (k) => heap.f64(k));
        rowCoef.set(coef.subarray(0, 4 * count));
      }
      const pc = heap.owns(coef.buffer) ? coef.byteOffset : rowCoef.byteOffset;
      for (let q = 0; q < count; q++) if (!(rowList[q]! >= 0 && (rowList[q]! + 1) * cols <= n)) throw new RangeError(`rowsDecay: row ${rowList[q]} is out of range`);
      k.rowsDecay(pw, pv, pl, pc, count, cols);
    },

    rowsSgdStep(w, v, x, dy, rowList, count, lr, momentum, l2, inSize, rows, outSize) {
      if (count <= 0) return;
      const pw = ptr(w, inSize * outSize, 'rowsSgdStep w');
      const pv = v ? ptr(v, inSize * outSize, 'rowsSgdStep v') : 0;
      const px = ptr(x, rows * inSize, 'rowsSgdStep x');
      const pdy = ptr(dy, rows * outSize, 'rowsSgdStep dy');
      for (let q = 0; q < count; q++) if (!(rowList[q]! >= 0 && rowList[q]! < inSize)) throw new RangeError(`rowsSgdStep: row ${rowList[q]} is out of range`);
      k.rowsSgdStep(pw, pv, px, pdy, rowListIn(rowList, count, inSize), count, lr, momentum, l2, inSize, rows, outSize);
    },

    // Bit for bit the reference's step (assembly/adam.ts), with the reference's own scalar factors. Big
    // parameters are split over the threads (each element's arithmetic is the same whoever computes it);
    // the six scalars go in a small block of memory, as the control block holds only four.
    adamStep(w, m, v, g, lr, beta1, beta2, eps, l2, t, n) {
      if (n <= 0) return;
      const pw = ptr(w, n, 'adamStep w'), pm = ptr(m, n, 'adamStep m'), pv = ptr(v, n, 'adamStep v'), pg = ptr(g, n, 'adamStep g');
      const { stepSize, bc2Sqrt } = adamFactors(lr, beta1, beta2, t);
      if (!pool || threads() < 2 || n < PARALLEL_ADAM) return k.adamStep(pw, pm, pv, pg, stepSize, bc2Sqrt, beta1, beta2, eps, l2, 0, n);
      adamScalars = atLeast(adamScalars, 6, 6, (k) => heap.f64(k));
      adamScalars.set([stepSize, bc2Sqrt, beta1, beta2, eps, l2]);
      setArgs(pw, pm, pv, pg, n, adamScalars.byteOffset);
      i32[Slot.task] = Task.adamStep;
      run(PARTS_PER_THREAD * threads());
    },

    denseSgdStep(w, x, dy, lr, inSize, rows, outSize) {
      if (inSize <= 0 || outSize <= 0) return;
      const pw = ptr(w, inSize * outSize, 'denseSgdStep w');
      const px = ptr(x, rows * inSize, 'denseSgdStep x');
      const pdy = ptr(dy, rows * outSize, 'denseSgdStep dy');
      // Parts of whole blocks of four rows, twice as many as elsewhere: the first layer's rows are pixels, whose
      // costs vary with how often they are inked (the borders' cost nothing), so smaller parts even the threads out.
      const parts = inSize * rows * outSize >= PARALLEL_MACS && threads() > 1 ? Math.min(2 * PARTS_PER_THREAD * threads(), Math.ceil(inSize / 4)) : 1;
      const need = k.denseSgdStepScratchBytes(rows, outSize);
      setArgs(pw, px, pdy, inSize, rows, outSize, scratchPerThread(need), scratchStride);
      f64[0] = lr;
      i32[Slot.task] = Task.denseSgdStep;
      run(parts);
    },

    dropoutMask(mask, key, pos, n, threshold, keep) {
      if (key.length !== MT_KEY_WORDS || !(Number.isInteger(pos) && pos >= 0 && pos <= MT_KEY_WORDS)) {
        throw new RangeError(`dropoutMask: a generator state is ${MT_KEY_WORDS} words and a position in [0, ${MT_KEY_WORDS}]`);
      }
      const pm = ptr(mask, n, 'dropoutMask mask');
      // u >= threshold for a whole u is u >= ceil(threshold); above 2^32 - 1 nothing is kept (all get 0).
      const t = Math.max(Math.ceil(threshold), 0);
      const none = !(t <= 0xffffffff);
      mtKey.set(key);
      const next = k.dropoutMask(pm, mtKey.byteOffset, pos, n, none ? 0 : t | 0, none ? 0 : keep);
      key.set(mtKey);
      return next;
    },

    // The per-example step as one call, on this thread (per-example.ts).
    perExampleSgd: wasmPerExample({
      kernels: k, heap, ptr, f64Ptr: (v, count, what) => heap.ptr(v, count, what), imagesInMemory, imageLists, pixelTable: setPixelTable, pixelTableIsDivision: () => divideInFloat32,
    }),

    gatherRows(out, images, idx, start, count, cols, divisor) {
      const n = count * cols;
      const po = ptr(out, n, 'gatherRows out');
      setPixelTable(divisor);
      const parts = n >= PARALLEL_PIXELS ? PARTS_PER_THREAD * threads() : 1;
      /** The image index of batch row r, checked against the set. */
      const imageOf = (r: number): number => {
        const i = idx[start + r]!;
        if (!(i >= 0 && i * cols + cols <= images.length)) throw new RangeError(`gatherRows: image ${i} is out of range`);
        return i;
      };
      const pImages = imagesInMemory(images);
      if (pImages >= 0) {
        // The rows are read straight from the image set's copy in memory (a batch's indices copied beside it).
        rowIndices = atLeast(rowIndices, count, Math.max(count, 2 * rowIndices.length), (n) => heap.i32(n));
        for (let r = 0; r < count; r++) rowIndices[r] = imageOf(r);
        setArgs(po, pImages, rowIndices.byteOffset, cols, count, divideInFloat32 ? 0 : pixelTable.byteOffset);
        f64[0] = divisor;
        i32[Slot.task] = Task.gatherPixels;
        run(Math.min(parts, count));
        return;
      }
      staged = atLeast(staged, n, n, (n) => heap.u8(n));
      for (let r = 0; r < count; r++) {
        const src = imageOf(r) * cols;
        staged.set(images.subarray(src, src + cols), r * cols);
      }
      if (divideInFloat32) {
        setArgs(po, staged.byteOffset, n, 0);
        f64[0] = divisor;
        i32[Slot.task] = Task.bytesDivided;
      } else {
        setArgs(po, staged.byteOffset, pixelTable.byteOffset, n);
        i32[Slot.task] = Task.bytesToFloats;
      }
      run(parts);
    },
  };
  return withReferenceKernels(backend);
}
