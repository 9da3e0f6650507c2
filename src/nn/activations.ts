/** Element-wise activations: ReLU, Sigmoid, Tanh (each keeps its output for backward) and row Softmax. */
import type { Backend, FloatArray } from '../backend/backend.js';
import { GrowBuffer, type Layer, type LayerSpec, type Param, type ParamSpec } from './layer.js';

type Kind = 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export class Activation implements Layer {
  private backend!: Backend;
  private size = 0;
  private out!: GrowBuffer;
  private dx!: GrowBuffer;
  private y: FloatArray | null = null;

  constructor(readonly spec: Extract<LayerSpec, { type: Kind }>) {}

  dispose(): void {
    this.out?.dispose();
    this.dx?.dispose();
  }

  build(inSize: number, backend: Backend): number {
    this.backend = backend;
    this.size = inSize;
    this.out = new GrowBuffer(backend);
    this.dx = new GrowBuffer(backend);
    return inSize;
  }

  paramSpecs(): ParamSpec[] {
    return [];
  }
  bindParams(_params: Param[]): void {}
  initParams(): void {}

  forward(x: FloatArray, rows: number, mode: 'train' | 'eval'): FloatArray {
    const n = rows * this.size;
    const y = this.out.get(n);
    const be = this.backend;
    switch (this.spec.type) {
      case 'relu':
        be.relu(y, x, n);
        break;
      case 'sigmoid':
        be.sigmoid(y, x, n);
        break;
      case 'tanh':
        be.tanh(y, x, n);
        break;
      case 'softmax':
        be.softmaxRows(y, x, rows, this.size);
        break;
    }
    this.y = mode === 'train' ? y : null;
    return y;
  }

  backward(dy: FloatArray, rows: number, needInputGrad: boolean): FloatArray | null {
    if (!needInputGrad) return null;
    const y = this.y;
    if (!y) throw new Error(`${this.spec.type}.backward called without a training forward pass`);
    const n = rows * this.size;
    const dx = this.dx.get(n);
    const be = this.backend;
    switch (this.spec.type) {
      case 'relu':
        be.reluBackward(dx, dy, y, n);
        break;
      case 'sigmoid':
        be.sigmoidBackward(dx, dy, y, n);
        break;
      case 'tanh':
        be.tanhBackward(dx, dy, y, n);
        break;
      case 'softmax':
        be.softmaxBackward(dx, dy, y, rows, this.size);
        break;
    }
    return dx;
  }
}
