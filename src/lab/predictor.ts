/**
 * The page's copy of a run's model, built from the spec the worker sent (never from the lab's settings), on
 * the reference backend (it needs no loading, and one digit at a time is quick on the page's thread). Reads
 * a drawn digit and gives the first layer's weights as pictures.
 */
import { refBackend } from '../backend/ref.js';
import { Model, type ModelSpec } from '../nn/model.js';
import { hiddenActivations, readDigit } from '../nn/read-digit.js';

export interface DigitReading {
  probabilities: number[];
  /** The first hidden layer's activations, or null without one. */
  hidden: Float64Array | null;
}

export class Predictor {
  private model: Model | null = null;
  private specKey = '';

  /** Uses these weights of a model of this spec (rebuilding the model only when the spec changed). */
  load(spec: Readonly<ModelSpec>, weights: ArrayLike<number>): void {
    const key = JSON.stringify(spec);
    if (!this.model || key !== this.specKey) {
      this.model?.dispose();
      this.model = new Model(spec, { backend: refBackend('float32'), skipInit: true });
      this.specKey = key;
    }
    this.model.setWeights(weights);
  }

  clear(): void {
    this.model?.dispose();
    this.model = null;
    this.specKey = '';
  }

  get inputSize(): number | null {
    return this.model?.inputSize ?? null;
  }

  /** The loaded model's reading of a picture of inputSize bytes, or null before there is a model. */
  read(pixels: Uint8Array): DigitReading | null {
    const m = this.model;
    if (!m || pixels.length !== m.inputSize) return null;
    return { probabilities: readDigit(m, pixels), hidden: hiddenActivations(m, pixels) };
  }

  /**
   * The first dense layer's weights W[inSize, units] within a flat parameter array laid out as this model's
   * (e.g. the weights before training, for "what training changed").
   */
  firstLayer(flat: Float64Array | Float32Array): { weights: Float64Array | Float32Array; inSize: number; units: number } | null {
    const m = this.model;
    const dense = m?.denseLayers()[0];
    if (!m || !dense) return null;
    const w = dense.weights;
    const offset = (w.byteOffset - m.paramData.byteOffset) / m.paramData.BYTES_PER_ELEMENT;
    return { weights: flat.subarray(offset, offset + w.length), inSize: w.length / dense.units, units: dense.units };
  }
}
