/**
 * When a model's batch-1 step can be the backend's per-example step (Backend.perExampleSgd): the layers are
 * dense, ReLU, dense, ..., dense (no dropout, no other activation), the loss is softmax cross-entropy, the
 * backend has the capability, and the optimizer tells how it steps every parameter (Optimizer.perExampleRule:
 * Sgd, with momentum and L2 too, the first layer's rows lazily as its rows stepper does) or steps every one by
 * plain SGD (PlainStepRate, as the fused dense step asks it). The stepper then does what Model.trainStep then
 * optimizer.step do, bit for bit, but for the weight and bias steps, which the backend may take in float32
 * (backend/per-example.ts: plain SGD within 1e-6 per weight of the float64 step over an epoch of MNIST;
 * momentum and L2 by backend/per-example-reg-ref.ts's arithmetic, within 4e-6 of the float64 dense update).
 */
import type { PerExampleLayer, PerExampleRule, PerExampleStepper } from '../backend/per-example.js';
import { Dense } from './dense.js';
import type { Param } from './layer.js';
import type { Model } from './model.js';
import type { Optimizer } from './optimizer.js';

/** The backend's stepper for model and optimizer, or null when the step must be taken layer by layer. */
export function perExampleStepper(model: Model, optimizer: Optimizer): PerExampleStepper | null {
  const { backend, spec } = model;
  if (!backend.perExampleSgd || spec.loss !== 'ce' || !(optimizer.perExampleRule || optimizer.plainStepRate)) return null;
  const types = spec.layers.map((l) => l.type);
  if (types.length % 2 !== 1 || !types.every((t, i) => t === (i % 2 === 0 ? 'dense' : 'relu'))) return null;
  // The first dense layer's input gradient is never needed: its rows may be stepped lazily (Layer.prepareStep).
  const rule = (p: Param, rowsLazy: boolean): PerExampleRule | null => {
    if (optimizer.perExampleRule) return optimizer.perExampleRule(p, rowsLazy);
    const lr = optimizer.plainStepRate!(p);
    return lr === null ? null : { kind: 'sgd', lr };
  };
  const layers: PerExampleLayer[] = [];
  let inSize = model.inputSize;
  for (const layer of model.denseLayers()) {
    if (!(layer instanceof Dense)) return null;
    const [w, b] = model.params.filter((p) => ownedBy(model, layer, p));
    const weightRule = w ? rule(w, layers.length === 0) : null;
    if (!w || !weightRule) return null;
    let bias: PerExampleLayer['bias'] = null;
    if (b) {
      const r = rule(b, false);
      if (!r) return null;
      bias = { value: b.value, grad: b.grad, rule: r };
    }
    layers.push({ inSize, outSize: layer.units, weights: w.value, weightRule, bias });
    inSize = layer.units;
  }
  return backend.perExampleSgd({ layers });
}

/** Whether p is one of the dense layer's parameters (named '<layer index>.W' or '.b'). */
function ownedBy(model: Model, layer: Dense, p: Param): boolean {
  return p.name.startsWith(`${model.layers.indexOf(layer)}.`);
}
