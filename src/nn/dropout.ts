/**
 * Inverted dropout: while training, each unit survives with probability 1 - rate and survivors are scaled by
 * 1 / (1 - rate), so the expected activation is unchanged and evaluation is the identity (no rescaling at
 * test time, no draws). The mask is drawn from the model's seeded generator, one uint32 per unit.
 */
import type { Backend, FloatArray } from '../backend/backend.js';
import type { Rng } from '../rng/mt19937.js';
import { ConfigError, show } from '../errors.js';
import { GrowBuffer, type DropoutMaskDraw, type Layer, type LayerSpec, type Param, type ParamSpec } from './layer.js';

export function checkDropoutRate(rate: number, maskDraw: DropoutMaskDraw = 'threshold'): void {
  if (!(typeof rate === 'number' && rate >= 0 && rate < 1)) {
    throw new ConfigError(`dropout rate must be in [0, 1), got ${show(rate)}`);
  }
  if (maskDraw !== 'threshold' && maskDraw !== 'randint') {
    throw new ConfigError(`dropout mask draw must be 'threshold' or 'randint', got ${show(maskDraw)}`);
  }
  if (maskDraw === 'randint' && rate !== 0.5) {
    throw new ConfigError(`a dropout mask drawn as randint(2) drops half the units: rate must be 0.5, got ${show(rate)}`);
  }
}

/**
 * Fills dropoutMask[n] with 0 or 1 / (1 - rate): with 'threshold', a unit is kept when its uint32 draw u
 * satisfies u >= rate * 2^32; with 'randint' (rate 0.5), when numpy's randint(2) draws 1. The threshold
 * draws run as the given backend's dropoutMask kernel on the generator's live state, so every backend draws
 * the same stream.
 */
export function drawDropoutMask(
  dropoutMask: FloatArray,
  n: number,
  rate: number,
  rng: Rng,
  maskDraw: DropoutMaskDraw,
  backend: Pick<Backend, 'dropoutMask'>,
): void {
  const scale = 1 / (1 - rate);
  if (maskDraw === 'randint') {
    for (let i = 0; i < n; i++) dropoutMask[i] = rng.randint(2) * scale;
    return;
  }
  const threshold = rate * 4294967296;
  rng.drawWith((key, pos) => backend.dropoutMask(dropoutMask, key, pos, n, threshold, scale));
}

export class Dropout implements Layer {
  private backend!: Backend;
  private size = 0;
  private out!: GrowBuffer;
  private dx!: GrowBuffer;
  private mask!: GrowBuffer;
  private lastMask: FloatArray | null = null;
  /** Whether the last forward pass was a training one (backward needs one, as every layer's does). */
  private trainedForward = false;

  constructor(readonly spec: Extract<LayerSpec, { type: 'dropout' }>) {
    checkDropoutRate(spec.rate, spec.maskDraw);
  }

  get rate(): number {
    return this.spec.rate;
  }

  dispose(): void {
    this.out?.dispose();
    this.dx?.dispose();
    this.mask?.dispose();
  }

  build(inSize: number, backend: Backend): number {
    this.backend = backend;
    this.size = inSize;
    this.out = new GrowBuffer(backend);
    this.dx = new GrowBuffer(backend);
    this.mask = new GrowBuffer(backend);
    return inSize;
  }

  paramSpecs(): ParamSpec[] {
    return [];
  }
  bindParams(_params: Param[]): void {}
  initParams(): void {}

  /** The mask of the last training forward pass (0 or 1 / (1 - rate) per unit). */
  get dropoutMask(): FloatArray | null {
    return this.lastMask;
  }

  forward(x: FloatArray, rows: number, mode: 'train' | 'eval', rng: Rng): FloatArray {
    this.trainedForward = mode === 'train';
    if (mode === 'eval' || this.rate === 0) {
      this.lastMask = null;
      return x;
    }
    const n = rows * this.size;
    const mask = this.mask.get(n);
    drawDropoutMask(mask, n, this.rate, rng, this.spec.maskDraw ?? 'threshold', this.backend);
    const y = this.out.get(n);
    this.backend.mul(y, x, mask, n);
    this.lastMask = mask;
    return y;
  }

  backward(dy: FloatArray, rows: number, needInputGrad: boolean): FloatArray | null {
    if (!needInputGrad) return null;
    if (!this.trainedForward) throw new Error('dropout.backward called without a training forward pass');
    if (!this.lastMask) return dy; // rate 0: the identity
    const n = rows * this.size;
    const dx = this.dx.get(n);
    this.backend.mul(dx, dy, this.lastMask, n);
    return dx;
  }
}
