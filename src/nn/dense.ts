/** Dense (fully connected): y[rows,out] = x[rows,in] · W[in,out] + b[out]. W is stored [in, out] as the book's. */
import type { Backend, FloatArray } from '../backend/backend.js';
import type { Rng } from '../rng/mt19937.js';
import { GrowBuffer, type DenseInit, type Layer, type LayerSpec, type Param, type ParamSpec, type RowStepper, type StepRates } from './layer.js';

export class Dense implements Layer {
  private backend!: Backend;
  private inSize = 0;
  private W!: Param;
  private b: Param | null = null;
  private out!: GrowBuffer;
  private dx!: GrowBuffer;
  private x: FloatArray | null = null; // the last training input, for backward
  private lazy: RowStepper | null = null; // the lazy stepper prepareStep prepared W's rows with, for this step

  constructor(
    readonly spec: Extract<LayerSpec, { type: 'dense' }>,
  ) {}

  get units(): number {
    return this.spec.units;
  }

  dispose(): void {
    this.out?.dispose();
    this.dx?.dispose();
  }

  build(inSize: number, backend: Backend): number {
    this.backend = backend;
    this.inSize = inSize;
    this.out = new GrowBuffer(backend);
    this.dx = new GrowBuffer(backend);
    return this.spec.units;
  }

  paramSpecs(): ParamSpec[] {
    const specs: ParamSpec[] = [{ name: 'W', shape: [this.inSize, this.units], decay: true }];
    if (this.spec.bias ?? true) specs.push({ name: 'b', shape: [this.units], decay: false });
    return specs;
  }

  bindParams(params: Param[]): void {
    this.W = params[0]!;
    this.b = params[1] ?? null;
  }

  /** The weight matrix W[in, out] (a view: writes change the model). */
  get weights(): FloatArray {
    return this.W.value;
  }

  initParams(rng: Rng): void {
    const init: DenseInit = this.spec.init ?? 'uniform';
    const w = this.W.value;
    if (init === 'uniform') {
      for (let i = 0; i < w.length; i++) w[i] = 0.2 * rng.random() - 0.1;
    } else {
      const fan = init === 'he' ? this.inSize : this.inSize + this.units;
      const limit = Math.sqrt(6 / fan);
      for (let i = 0; i < w.length; i++) w[i] = (2 * rng.random() - 1) * limit;
    }
    this.b?.value.fill(0);
  }

  forward(x: FloatArray, rows: number, mode: 'train' | 'eval'): FloatArray {
    const y = this.out.get(rows * this.units);
    this.backend.matmul(y, x, this.W.value, rows, this.inSize, this.units, false, false, false);
    if (this.b) this.backend.addRowVector(y, this.b.value, rows, this.units);
    this.x = mode === 'train' ? x : null;
    return y;
  }

  /** The weight parameter (its value and gradient views). */
  get weightParam(): Param {
    return this.W;
  }

  backward(dy: FloatArray, rows: number, needInputGrad: boolean): FloatArray | null {
    return this.backwardWith(dy, rows, needInputGrad, null);
  }

  /**
   * The fused step (Layer.backwardAndStep): when rate.plainStepRate(W) gives a rate, W takes its plain SGD step
   * here, straight from x and dy (Backend.denseSgdStep), and W.grad is not written. dx is computed first, from
   * the weights of the forward pass. When prepareStep() prepared W's rows for a lazy step (rate.rowStepper),
   * they take it here (W.grad is not written either).
   */
  backwardAndStep(dy: FloatArray, rows: number, needInputGrad: boolean, rate: StepRates, taken: Param[]): FloatArray | null {
    const lazy = this.lazy;
    this.lazy = null;
    if (lazy && !needInputGrad) {
      const x = this.x;
      if (!x) throw new Error('Dense.backward called without a training forward pass');
      if (this.b) this.backend.sumRows(this.b.grad, dy, rows, this.units, false);
      lazy.step(x, dy, rows);
      taken.push(this.W);
      return null;
    }
    const lr = rate.plainStepRate?.(this.W) ?? null;
    if (lr !== null) taken.push(this.W);
    return this.backwardWith(dy, rows, needInputGrad, lr);
  }

  /** Layer.prepareStep: W's rows that x reads brought up to date, when the optimizer steps W lazily. */
  prepareStep(x: Readonly<FloatArray>, rows: number, needInputGrad: boolean, rate: StepRates): void {
    this.lazy = null;
    if (needInputGrad || rate.plainStepRate?.(this.W) != null) return;
    const lazy = rate.rowStepper?.(this.W) ?? null;
    if (!lazy) return;
    lazy.prepare(x, rows);
    this.lazy = lazy;
  }

  private backwardWith(dy: FloatArray, rows: number, needInputGrad: boolean, stepLr: number | null): FloatArray | null {
    const x = this.x;
    if (!x) throw new Error('Dense.backward called without a training forward pass');
    const be = this.backend;
    let dx: FloatArray | null = null;
    if (needInputGrad) {
      // dx[rows,in] = dy[rows,out] · W^T[out,in]
      dx = this.dx.get(rows * this.inSize);
      be.matmul(dx, dy, this.W.value, rows, this.units, this.inSize, false, true, false);
    }
    if (this.b) be.sumRows(this.b.grad, dy, rows, this.units, false);
    // dW[in,out] = x^T[in,rows] · dy[rows,out]
    if (stepLr === null) be.matmul(this.W.grad, x, dy, this.inSize, rows, this.units, true, false, false);
    else be.denseSgdStep(this.W.value, x, dy, stepLr, this.inSize, rows, this.units);
    return dx;
  }
}
