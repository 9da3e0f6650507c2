/**
 * The reference backend: plain, readable TypeScript, in float32 or float64. It is the trusted kernel every
 * fast kernel is checked against, and the float64 arithmetic of the gradient checks and book reproductions.
 * Sums run in a JavaScript double and are stored in the buffer's type. exp, log, tanh and pow are libm.ts's,
 * not Math's, so that every JavaScript engine (Node, any browser) gives the same bits.
 */
import { ConfigError } from '../errors.js';
import { asBuffer, type Backend, type BackendKernels, type DType, type FloatArray } from './backend.js';
import { exp, log, pow, tanh as tanhOf } from './libm.js';
import { MT_KEY_WORDS, temper, twistKey } from '../rng/mt19937.js';
import { rowsDecay, rowsSgdStep } from './row-kernels.js';

export function refBackend(dtype: DType = 'float32'): Backend {
  return {
    name: 'ref',
    dtype,
    alloc: (n) => {
      try {
        return asBuffer(dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
      } catch (e) {
        // Too many elements for a typed array, or no memory for them: bad input (the CLI's one line), not a bug.
        if (e instanceof RangeError && n > 0) throw new ConfigError(`the reference backend cannot allocate ${Math.ceil((n * (dtype === 'float64' ? 8 : 4)) / 2 ** 20)} MB: the network or the data is too large`);
        throw e;
      }
    },
    matmul,
    addRowVector,
    sumRows,
    relu,
    reluBackward,
    sigmoid,
    sigmoidBackward,
    tanh,
    tanhBackward,
    mul,
    softmaxRows,
    softmaxBackward,
    softmaxCrossEntropy,
    squaredError,
    countCorrect,
    sgdStep,
    adamStep,
    rowsDecay,
    rowsSgdStep,
    denseSgdStep: (w, x, dy, lr, inSize, rows, outSize) => denseSgdStep(w, x, dy, lr, inSize, rows, outSize, dtype),
    gatherRows,
    dropoutMask,
    allFinite,
  };
}

/** Every element through Number.isFinite. */
function allFinite(x: Readonly<FloatArray>, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}

/**
 * A whole Backend from a backend's own kernels: every kernel it leaves out is the reference's (of its dtype),
 * which runs on the backend's buffers as they are host-visible typed arrays. Fills in `kernels` itself (its
 * getters, e.g. the wasm backend's thread count, stay live) and returns it.
 */
export function withReferenceKernels<T extends BackendKernels>(kernels: T): T & Backend {
  const reference = refBackend(kernels.dtype) as unknown as Record<string, unknown>;
  const target = kernels as unknown as Record<string, unknown>;
  for (const name of Object.keys(reference)) if (!(name in target)) target[name] = reference[name];
  return kernels as T & Backend;
}

// out[m,n] = (acc ? out : 0) + op(a)[m,k] · op(b)[k,n]
const matmul: Backend['matmul'] = (out, a, b, m, k, n, transA, transB, accumulate) => {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        const bv = transB ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
      }
      out[i * n + j] = accumulate ? out[i * n + j]! + s : s;
    }
  }
};

function addRowVector(x: FloatArray, bias: Readonly<FloatArray>, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x[r * cols + c] = x[r * cols + c]! + bias[c]!;
}

function sumRows(out: FloatArray, x: Readonly<FloatArray>, rows: number, cols: number, accumulate: boolean): void {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * cols + c]!;
    out[c] = accumulate ? out[c]! + s : s;
  }
}

function relu(out: FloatArray, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
}

function reluBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 ? dy[i]! : 0;
}

function sigmoid(out: FloatArray, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = 1 / (1 + exp(-x[i]!));
}

function sigmoidBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!);
}

function tanh(out: FloatArray, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = tanhOf(x[i]!);
}

function tanhBackward(dx: FloatArray, dy: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!);
}

function mul(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
}

function softmaxRows(out: FloatArray, x: Readonly<FloatArray>, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[o + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = exp(x[o + c]! - max);
      out[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) out[o + c] = out[o + c]! / sum;
  }
}

function softmaxBackward(
  dx: FloatArray,
  dy: Readonly<FloatArray>,
  y: Readonly<FloatArray>,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += dy[o + c]! * y[o + c]!;
    for (let c = 0; c < cols; c++) dx[o + c] = y[o + c]! * (dy[o + c]! - dot);
  }
}

function softmaxCrossEntropy(
  dLogits: FloatArray | null,
  logits: Readonly<FloatArray>,
  labels: Readonly<Uint8Array>,
  rows: number,
  cols: number,
  gradScale: number,
): number {
  return softmaxCrossEntropyRows(dLogits, logits, labels, 0, rows, cols, gradScale, null);
}

/**
 * softmaxCrossEntropy on rows [r0, r1) only (labels indexed by row); returns their loss summed in row order and,
 * with rowLoss, writes each row's term there, so that parts computed apart sum to the same bits in order.
 */
export function softmaxCrossEntropyRows(
  dLogits: FloatArray | null,
  logits: Readonly<FloatArray>,
  labels: Readonly<Uint8Array>,
  r0: number,
  r1: number,
  cols: number,
  gradScale: number,
  rowLoss: Float64Array | null,
): number {
  let loss = 0;
  for (let r = r0; r < r1; r++) {
    const o = r * cols;
    const label = labels[r]!;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[o + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += exp(logits[o + c]! - max);
    const logSum = log(sum) + max;
    const term = logSum - logits[o + label]!;
    if (rowLoss) rowLoss[r] = term;
    loss += term;
    if (dLogits) {
      for (let c = 0; c < cols; c++) {
        const p = exp(logits[o + c]! - logSum);
        dLogits[o + c] = (p - (c === label ? 1 : 0)) * gradScale;
      }
    }
  }
  return loss;
}

function squaredError(
  dy: FloatArray | null,
  y: Readonly<FloatArray>,
  labels: Readonly<Uint8Array>,
  rows: number,
  cols: number,
  gradScale: number,
): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const d = y[i]! - (c === labels[r] ? 1 : 0);
      loss += d * d;
      if (dy) dy[i] = 2 * d * gradScale;
    }
  }
  return loss;
}

function argmaxRow(x: Readonly<FloatArray>, o: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (x[o + c]! > x[o + best]!) best = c;
  return best;
}

function countCorrect(x: Readonly<FloatArray>, labels: Readonly<Uint8Array>, rows: number, cols: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(x, r * cols, cols) === labels[r]) correct++;
  return correct;
}

const sgdStep: Backend['sgdStep'] = (w, g, velocity, lr, momentum, l2, n) => {
  for (let i = 0; i < n; i++) {
    let d = l2 === 0 ? g[i]! : g[i]! + l2 * w[i]!;
    if (velocity) {
      d = momentum * velocity[i]! + d;
      velocity[i] = d;
    }
    w[i] = w[i]! - lr * d;
  }
};

/**
 * Adam's per-step scalars at step t: stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) (pow is
 * libm.ts's). Exported so that the fast backend's adamStep takes exactly the same factors.
 */
export function adamFactors(lr: number, beta1: number, beta2: number, t: number): { stepSize: number; bc2Sqrt: number } {
  return { stepSize: lr / (1 - pow(beta1, t)), bc2Sqrt: Math.sqrt(1 - pow(beta2, t)) };
}

// w[n], m[n], v[n] updated in place from g[n] at step t (Backend.adamStep)
const adamStep: Backend['adamStep'] = (w, m, v, g, lr, beta1, beta2, eps, l2, t, n) => {
  const { stepSize, bc2Sqrt } = adamFactors(lr, beta1, beta2, t);
  for (let i = 0; i < n; i++) {
    const d = l2 === 0 ? g[i]! : g[i]! + l2 * w[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * d;
    v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
    w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
  }
};

// w[inSize,outSize] -= lr * x^T[inSize,rows] · dy[rows,outSize], each gradient element rounded as matmul stores it
function denseSgdStep(
  w: FloatArray,
  x: Readonly<FloatArray>,
  dy: Readonly<FloatArray>,
  lr: number,
  inSize: number,
  rows: number,
  outSize: number,
  dtype: DType,
): void {
  for (let i = 0; i < inSize; i++) {
    for (let j = 0; j < outSize; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * inSize + i]! * dy[r * outSize + j]!;
      const g = dtype === 'float32' ? Math.fround(s) : s;
      w[i * outSize + j] = w[i * outSize + j]! - lr * g;
    }
  }
}

function gatherRows(
  out: FloatArray,
  images: Readonly<Uint8Array>,
  idx: Readonly<Int32Array>,
  start: number,
  count: number,
  cols: number,
  divisor: number,
): void {
  for (let r = 0; r < count; r++) {
    const src = idx[start + r]! * cols;
    for (let c = 0; c < cols; c++) out[r * cols + c] = images[src + c]! / divisor;
  }
}

// mask[n] = keep where the generator's next draw u >= threshold, else 0; returns the key's new position
export function dropoutMask(mask: FloatArray, key: Uint32Array, pos: number, n: number, threshold: number, keep: number): number {
  // A lookup, not a branch: random keep/drop decisions would mispredict half the time.
  const values = Float64Array.of(0, keep);
  for (let i = 0; i < n; i++) {
    if (pos === MT_KEY_WORDS) {
      twistKey(key);
      pos = 0;
    }
    mask[i] = values[+(temper(key[pos++]!) >= threshold)]!;
  }
  return pos;
}
