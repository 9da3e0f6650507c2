/**
 * The exports of the kernels' WebAssembly module (assembly/index.ts). Pointers are byte offsets into the
 * module's memory; a kernel that threads split takes the part of the work it computes ([r0, r1) rows or
 * [i0, i1) elements).
 */

export interface Kernels {
  matmulNN(out: number, a: number, b: number, m: number, k: number, n: number, accumulate: number, r0: number, r1: number, scratch: number): void;
  matmulTN(out: number, a: number, b: number, m: number, k: number, n: number, accumulate: number, r0: number, r1: number, scratch: number): void;
  /** Scratch bytes matmulNN needs for inner dimension k and n columns. */
  matmulNNScratchBytes(k: number, n: number): number;
  /** Scratch bytes matmulTN needs for c output rows with inner dimension k and n columns. */
  matmulTNScratchBytes(k: number, c: number, n: number): number;
  /** Scratch bytes denseSgdStep needs for k examples and n outputs. */
  denseSgdStepScratchBytes(k: number, n: number): number;
  /** w[m,n] rows [r0,r1) -= lr * x^T · dy, x stored [k,m], dy [k,n]; rows of all-zero x columns untouched. */
  denseSgdStep(w: number, x: number, dy: number, m: number, k: number, n: number, lr: number, r0: number, r1: number, scratch: number): void;
  transpose(out: number, a: number, rows: number, cols: number): void;
  addRowVector(x: number, bias: number, cols: number, r0: number, r1: number): void;
  sumRows(out: number, x: number, rows: number, cols: number, accumulate: number): void;
  relu(out: number, x: number, i0: number, i1: number): void;
  /** 1 when x[n] (float32) holds no NaN and no +-Infinity, else 0. */
  allFinite(x: number, n: number): number;
  reluBackward(dx: number, dy: number, y: number, i0: number, i1: number): void;
  mul(out: number, a: number, b: number, i0: number, i1: number): void;
  bytesToFloats(out: number, bytes: number, table: number, i0: number, i1: number): void;
  /** out[i] = bytes[i] / divisor in float32, elements [i0, i1). */
  bytesDivided(out: number, bytes: number, divisor: number, i0: number, i1: number): void;
  /** 1 when byte / divisor in float32 equals table[byte] for every byte (bit for bit), else 0. */
  pixelTableIsDivision(table: number, divisor: number): number;
  /** Rows [r0, r1) of out[count, cols] = images rows idx[r], converted as bytesDivided (table 0) or bytesToFloats. */
  gatherPixels(out: number, images: number, idx: number, cols: number, divisor: number, table: number, r0: number, r1: number): void;
  /** mask[n] = keep where the next MT19937 draw from key[624] at pos >= threshold (unsigned), else 0; returns the new pos. */
  dropoutMask(mask: number, key: number, pos: number, n: number, threshold: number, keep: number): number;
  sgdStep(w: number, g: number, velocity: number, lr: number, momentum: number, l2: number, i0: number, i1: number): void;
  /** One Adam step on elements [i0, i1) of w, m, v from g; stepSize and bc2Sqrt as ref.ts's adamFactors. */
  adamStep(w: number, m: number, v: number, g: number, stepSize: number, bc2Sqrt: number, beta1: number, beta2: number, eps: number, l2: number, i0: number, i1: number): void;
  /** count per-example SGD steps of the network described at desc (assembly/per-example.ts); returns the steps applied. */
  perExampleSgd(desc: number, idx: number, labels: number, count: number, losses: number, correct: number): number;
  /** perExampleSgd with the momentum/L2 rules of the description's rule blocks (assembly/per-example-reg32.ts). */
  perExampleSgdReg(desc: number, idx: number, labels: number, count: number, losses: number, correct: number): number;
  /** perExampleSgd with Adam rules, the first layer's rows lazy (assembly/per-example-adam.ts). */
  perExampleAdam(desc: number, idx: number, labels: number, count: number, losses: number, correct: number): number;
  adamRowsSync(desc: number, now: number): void;
  /** Lazy steps' catch-up on listed rows (list i32[count], coef f64[4 count]); v 0 when there is none. */
  rowsDecay(w: number, v: number, list: number, coef: number, count: number, cols: number): void;
  /** SGD on listed rows of w[m,n] from x[k,m], dy[k,n] (gradient never stored); v 0 when there is none. */
  rowsSgdStep(w: number, v: number, x: number, dy: number, list: number, count: number, lr: number, momentum: number, l2: number, m: number, k: number, n: number): void;
  /** starts[0..count] (u32): prefix sums of the images' nonzero byte counts (assembly/nonzero-lists.ts); returns the total. */
  nonzeroStarts(images: number, count: number, cols: number, starts: number): number;
  /** The images' nonzero pixels, (pixel << 8) | byte, at the offsets nonzeroStarts wrote. */
  nonzeroEntries(images: number, count: number, cols: number, starts: number, entries: number): void;
  /**
   * ref.ts's softmaxCrossEntropyRows on rows [r0, r1) of rows x cols logits (assembly/softmax.ts: the same float64
   * arithmetic, with the ported exp and log): each row's term to rowLoss (f64), dLogits (0: none) scaled by gradScale.
   */
  softmaxCrossEntropyRows(dLogits: number, logits: number, labels: number, r0: number, r1: number, cols: number, rows: number, gradScale: number, rowLoss: number): void;
  /** ../libm.ts's exp and log, ported (assembly/libm.ts). */
  exp(x: number): number;
  log(x: number): number;
}

/**
 * What the kernels' module imports besides its memory: nothing. The per-example step's loss needs reglab's own
 * exp and log (../libm.ts, the reference kernels' ones): the module has them, ported (assembly/libm.ts, held
 * to ../libm.ts bit for bit by libm.test.ts), so the loss is the reference's to the last bit on every
 * JavaScript engine without a call out of WebAssembly per class.
 */
export const KERNEL_IMPORTS = Object.freeze({});
