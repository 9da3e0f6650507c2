/**
 * The seam between the engine and its kernels. Layers, losses, the optimizer and the training loop call
 * only these functions; the reference backend (plain TypeScript) and the fast backend implement the same
 * signatures. Kernels are free functions in llm.c's order: outputs first, inputs next, sizes last.
 * Buffers are row-major.
 *
 * The contract every backend keeps:
 * - Buffers are host-visible typed arrays (Float32Array or Float64Array as `dtype` says) from this backend's
 *   alloc(), readable and writable by JavaScript at any time between kernel calls; a view of one (`view`) is
 *   fine. A fast backend may keep them in its own memory (the wasm backend's are views of its WebAssembly
 *   memory) and refuses arrays it did not allocate.
 * - Kernels are synchronous: when a call returns, its outputs are written, and scalars (a loss, a count,
 *   a generator position) are returned as plain numbers.
 * - Results are deterministic: the same inputs give the same bits on every call, whatever the thread count
 *   or scheduling. Element-wise kernels, the SGD step and dropout masks round exactly as the reference;
 *   sums may accumulate in another order within the buffer type's rounding (each fast kernel is checked
 *   against the reference's by `wasm/conformance.test.ts`).
 * - A backend implements the hot kernels (`HotKernel`: where a training step spends its time) and may leave
 *   out the rest: `withReferenceKernels` fills in the reference's own kernel for each one left out, on the
 *   same buffers (so they agree with the reference bit for bit).
 *
 * What a GPU backend (WebGPU) would need that this contract does not give it: device buffers that are not
 * host-visible, so alloc() would return a handle and the engine would read weights, losses and predictions
 * through an explicit asynchronous readback (`read(buffer): Promise<FloatArray>`), not by indexing; kernels
 * queued rather than finished on return, with scalars (losses, correct counts) returned as device buffers
 * or promises, and the training loop awaiting them once per batch or epoch, not per call; uploads of each
 * batch's pixels and labels; and a dropout mask drawn from the generator on the host and uploaded (or the
 * generator's state kept on the device), so that masks stay the reference's stream. Determinism would hold
 * only with fixed reduction orders (no atomics in sums).
 */
import type { FloatArray } from './buffer.js';
import type { PerExampleNet, PerExampleStepper } from './per-example.js';

export type DType = 'float32' | 'float64';

export { asBuffer, bufferFrom, view, type FloatArray } from './buffer.js';

/** The kernels every backend implements itself: a training step's time is spent in them. */
export type HotKernel =
  | 'matmul'
  | 'addRowVector'
  | 'sumRows'
  | 'relu'
  | 'reluBackward'
  | 'mul'
  | 'softmaxCrossEntropy'
  | 'sgdStep'
  | 'denseSgdStep'
  | 'dropoutMask'
  | 'gatherRows';

/**
 * What a backend provides: its name, dtype, alloc (and free), the hot kernels, and any other kernel it runs
 * its own way; `withReferenceKernels` (ref.ts) makes a whole Backend of it.
 */
export type BackendKernels = Pick<Backend, 'name' | 'dtype' | 'alloc' | HotKernel> & Partial<Backend>;

export interface Backend {
  /** 'ref' or 'wasm'; with the dtype, it names the arithmetic a result was computed with. */
  readonly name: string;
  readonly dtype: DType;

  /** A zeroed buffer of n elements that this backend's kernels accept. */
  alloc(n: number): FloatArray;

  /**
   * Optional: gives back a buffer alloc returned (the whole buffer, not a view into it), for the backend to
   * hand out again; using it afterwards is a bug. Backends whose buffers the garbage collector reclaims
   * (the reference backend) need not have it. Model.dispose() gives back everything a model allocated.
   */
  free?(buffer: FloatArray): void;

  /**
   * out[m,n] = (accumulate ? out : 0) + op(a)[m,k] · op(b)[k,n].
   * a is [m,k], or [k,m] when transA; b is [k,n], or [n,k] when transB.
   */
  matmul(
    out: FloatArray,
    a: Readonly<FloatArray>,
    b: Readonly<FloatArray>,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
  ): void;

  /** x[rows,cols] += bias[cols] on every row. */
  addRowVector(x: FloatArray, bias: Readonly<FloatArray>, rows: number, cols: number): void;
  /** out[cols] (+)= sum over rows of x[rows,cols]. */
  sumRows(out: FloatArray, x: Readonly<FloatArray>, rows: number, cols: number, accumulate: boolean): void;

  /** out[n] = max(x, 0). */
  relu(out: FloatArray, x: Readonly<FloatArray>, n: number): void;
  /** dx[n] = dy where the ReLU's output y > 0, else 0. */
  reluBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void;
  /** out[n] = 1 / (1 + exp(-x)). */
  sigmoid(out: FloatArray, x: Readonly<FloatArray>, n: number): void;
  /** dx[n] = dy * y * (1 - y), y the sigmoid's output. */
  sigmoidBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void;
  /** out[n] = tanh(x). */
  tanh(out: FloatArray, x: Readonly<FloatArray>, n: number): void;
  /** dx[n] = dy * (1 - y^2), y the tanh's output. */
  tanhBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void;
  /** out[n] = a * b, element-wise (dropout masks, gates). */
  mul(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, n: number): void;

  /** out[rows,cols] = softmax of each row of x (max-subtracted). */
  softmaxRows(out: FloatArray, x: Readonly<FloatArray>, rows: number, cols: number): void;
  /**
   * dx[rows,cols] = the gradient through a softmax: y * (dy - sum(dy * y)) per row, y the softmax output.
   */
  softmaxBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, rows: number, cols: number): void;

  /**
   * Softmax cross-entropy on logits[rows,cols] against class labels[rows]. Writes
   * dLogits = (softmax(logits) - onehot(label)) * gradScale and returns the summed loss over the rows
   * (-log p[label], computed stably). dLogits may be null when only the loss is wanted.
   */
  softmaxCrossEntropy(
    dLogits: FloatArray | null,
    logits: Readonly<FloatArray>,
    labels: Readonly<Uint8Array>,
    rows: number,
    cols: number,
    gradScale: number,
  ): number;

  /**
   * Squared error of a linear output y[rows,cols] against one-hot labels[rows]. Writes
   * dy = 2 * (y - onehot) * gradScale and returns the summed loss: sum over rows and columns of (y - onehot)^2
   * (the book's "error"). dy may be null when only the loss is wanted.
   */
  squaredError(
    dy: FloatArray | null,
    y: Readonly<FloatArray>,
    labels: Readonly<Uint8Array>,
    rows: number,
    cols: number,
    gradScale: number,
  ): number;

  /** How many rows of x[rows,cols] have their argmax (first index on ties) equal to the label. */
  countCorrect(x: Readonly<FloatArray>, labels: Readonly<Uint8Array>, rows: number, cols: number): number;

  /**
   * One SGD step on n parameters, PyTorch's convention:
   *   g' = g + l2 * w;  v = momentum * v + g' (when velocity is given);  w -= lr * (v or g').
   */
  sgdStep(
    w: FloatArray,
    g: Readonly<FloatArray>,
    velocity: FloatArray | null,
    lr: number,
    momentum: number,
    l2: number,
    n: number,
  ): void;

  /**
   * The lazy step's catch-up (nn/lazy-rows.ts) on the listed rows of w[., cols] (and of its velocity v): with
   * (a, b, c, d) = coef[4q .. 4q+3] for row rowList[q], q < count, every element takes w' = a w + b v,
   * v' = c w + d v (without v: w' = a w), in a double, each value rounded once to the buffer's type.
   */
  rowsDecay(w: FloatArray, v: FloatArray | null, rowList: Readonly<Int32Array>, coef: Readonly<Float64Array>, count: number, cols: number): void;

  /**
   * sgdStep on the listed rows of w[inSize,outSize] only (and of its velocity v), their gradient x^T · dy
   * (x [rows,inSize], dy [rows,outSize]) computed and rounded as matmul's, never stored; other rows unread.
   */
  rowsSgdStep(
    w: FloatArray,
    v: FloatArray | null,
    x: Readonly<FloatArray>,
    dy: Readonly<FloatArray>,
    rowList: Readonly<Int32Array>,
    count: number,
    lr: number,
    momentum: number,
    l2: number,
    inSize: number,
    rows: number,
    outSize: number,
  ): void;

  /**
   * One Adam step on n parameters (Kingma & Ba, bias-corrected), with L2 as PyTorch's Adam(weight_decay):
   *   g' = g + l2 * w;  m = beta1 * m + (1 - beta1) * g';  v = beta2 * v + (1 - beta2) * g'^2;
   *   w -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
   * (PyTorch's arrangement of the update), t the 1-based step count. w, m, v [n] are updated in place; the
   * step reads m and v as stored (rounded to the buffer's type).
   */
  adamStep(
    w: FloatArray,
    m: FloatArray,
    v: FloatArray,
    g: Readonly<FloatArray>,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    l2: number,
    t: number,
    n: number,
  ): void;

  /**
   * A dense layer's weight gradient and a plain SGD step (no momentum, no L2) in one:
   *   w[inSize,outSize] -= lr * g,  g = x^T · dy,  x [rows,inSize], dy [rows,outSize],
   * g rounded to the buffer's type and the step taken as sgdStep takes it, so that w ends exactly as after
   * matmul(g, x, dy, inSize, rows, outSize, true, false, false) then sgdStep(w, g, null, lr, 0, 0, inSize * outSize)
   * on the same backend; the gradient is never stored. A fast backend leaves the rows of w whose column of x
   * is all zero unread (their gradient is zero, their step a no-op): with batch 1 on MNIST, 81% of them.
   */
  denseSgdStep(
    w: FloatArray,
    x: Readonly<FloatArray>,
    dy: Readonly<FloatArray>,
    lr: number,
    inSize: number,
    rows: number,
    outSize: number,
  ): void;

  /**
   * A dropout mask from a MT19937 generator's next n draws (lent by Rng.drawWith): mask[i] = keep when the
   * i-th tempered draw u (an unsigned 32-bit integer) satisfies u >= threshold, else 0. Advances the key
   * (624 words, twisted in place as twistKey twists it) from position pos exactly as n nextUint32() calls
   * would, and returns the new position, so the generator's stream is the same on every backend.
   */
  dropoutMask(mask: FloatArray, key: Uint32Array, pos: number, n: number, threshold: number, keep: number): number;

  /**
   * Whether x[0..n) holds no NaN and no +-Infinity (every element read). The Trainer checks every weight so
   * at the end of each epoch.
   */
  allFinite(x: Readonly<FloatArray>, n: number): boolean;

  /**
   * Optional capability, the per-example step as one call (per-example.ts): a stepper running batch-1 SGD steps
   * of the dense-ReLU-...-dense softmax cross-entropy net `net` (its buffers from this backend's alloc) many
   * per call, each Model.trainStep's arithmetic on this backend's kernels (exactly, but for plain SGD's weight
   * and bias steps, which a backend may take in float32: per-example.ts). Returns null when this
   * backend does not run that net (e.g. a rule it does not have). withReferenceKernels does not fill it in:
   * the engine then takes the step kernel by kernel.
   */
  perExampleSgd?(net: PerExampleNet): PerExampleStepper | null;

  /**
   * Gathers rows of a uint8 image set into out[count,cols], scaled: out[r,c] = images[idx[start+r]*cols + c] / divisor
   * (a division, as the book's `/ 255.`, so float64 pixels match numpy's bit for bit). A backend may copy
   * `images` the first time it sees them and gather from the copy later (the wasm backend does, into its
   * memory): image sets are read-only once gathered from.
   */
  gatherRows(
    out: FloatArray,
    images: Readonly<Uint8Array>,
    idx: Readonly<Int32Array>,
    start: number,
    count: number,
    cols: number,
    divisor: number,
  ): void;
}
